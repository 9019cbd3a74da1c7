/**
 * The storage node's gRPC server: serves the shard replicas this node holds over the
 * {@code meridian.storage.v1.StorageService} contract ({@code common/src/main/proto/meridian/storage/v1/storage.proto}).
 *
 * <pre>
 * gRPC call --StorageService--> ShardRefCodec: (database, shard) --ShardRegistry--> ShardReplica (Shard, epoch)
 *   Write/Stage     PointBatchCodec: PointBatch -> WriteBatch -> epoch check -> Shard.write / stage
 *   Commit/Abort    epoch check -> Shard.commit / abort
 *   LeafQuery       LeafQueryCodec (+ TagFilterCodec) -> Shard.query -> PartialTableCodec chunks
 *                   -> LeafResultStreamer (sends while the client's flow-control window is open)
 *   List*, Health   Shard metadata and stats
 * errors: MeridianException -> RpcErrors.toStatus (gRPC status + meridian-error-code trailer)
 * </pre>
 *
 * <p>This is the first slice of issue 4: every opened replica accepts writes at its epoch (it acts as the
 * leader); replication, follower roles, the meta watcher that calls {@link io.meridian.storage.server.ShardRegistry#open}
 * and {@link io.meridian.storage.server.ShardRegistry#close(ShardKey)}, and the process main come next.
 */
package io.meridian.storage.server;
