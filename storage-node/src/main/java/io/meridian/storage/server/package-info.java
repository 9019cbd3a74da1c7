/**
 * The storage node's gRPC server: serves the shard replicas this node holds over the
 * {@code meridian.storage.v1.StorageService} contract ({@code common/src/main/proto/meridian/storage/v1/storage.proto}).
 *
 * <pre>
 * gRPC call --StorageService--> ShardRefCodec: (database, shard) --ShardRegistry--> ShardReplica (Shard, epoch, role)
 *   Write/Stage     PointBatchCodec: PointBatch -> WriteBatch -> leader + epoch check -> disk check
 *                   -> ReplicationHooks.beforeWrite -> Shard.write / stage -> ReplicationHooks.afterWrite
 *   Commit/Abort    leader + epoch check -> beforeWrite -> Shard.commit / abort -> afterWrite
 *   DeclareField    leader (+ epoch) check -> disk check -> beforeWrite -> Shard.declareField -> afterWrite
 *   LeafQuery       LeafQueryCodec (+ TagFilterCodec) -> Shard.query -> PartialTableCodec chunks
 *                   -> LeafResultStreamer (sends while the client's flow-control window is open)
 *   Fetch/Snapshot  a follower's catch-up and full re-sync, served by ReplicationHooks (the leader's log)
 *   List*, Health   Shard metadata and stats
 * errors: MeridianException -> RpcErrors.toStatus (gRPC status + meridian-error-code trailer)
 * </pre>
 *
 * <p>A replica leads its shard (takes writes at its epoch) or follows it (replicates from the leader, serves
 * reads); a write-like call to a follower, or at another epoch, fails with {@code NOT_LEADER}. The replication
 * layer ({@code io.meridian.storage.replication.ReplicationController}, behind {@link
 * io.meridian.storage.server.ReplicationHooks}) opens and closes the replicas ({@link
 * io.meridian.storage.server.ShardRegistry#open}, {@link io.meridian.storage.server.ShardRegistry#close(ShardKey)})
 * as the node's assignments in the metadata change, and acknowledges a write once its write concern holds;
 * {@link io.meridian.storage.server.ReplicationHooks#NONE} is a single unreplicated node. The process itself
 * (configuration, metadata watch, registration) is {@code io.meridian.storage.node}.
 */
package io.meridian.storage.server;
