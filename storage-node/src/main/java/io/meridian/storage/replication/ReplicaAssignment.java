package io.meridian.storage.replication;

import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.shard.ShardOptions;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the master decided for one shard replica on this node, as the node's meta watcher hands it to the
 * {@link ReplicaController}.
 *
 * @param key           database and shard
 * @param options       engine options of the shard (database intervals plus this node's storage settings)
 * @param epoch         the shard epoch (>= 1); bumped at every leader change
 * @param leaderId      node id of the leader, or null while the shard is leaderless
 * @param leaderAddress {@code host:port} of the leader's gRPC server, or null while leaderless
 * @param replicas      node ids holding a replica, leader included, in placement order
 * @param inSync        node ids the master counts as in sync
 * @param writeConcern  when the leader acknowledges a write
 * @param addresses     {@code host:port} of the replicas' nodes that are live, by node id (a new leader reads
 *                      the ops it lacks from them)
 * @param generation    the database's incarnation ({@code DatabaseConfig.generation}; 0 when unknown): directories
 *                      of another incarnation of the same name are deleted before the replica opens
 */
public record ReplicaAssignment(
        ShardKey key,
        ShardOptions options,
        long epoch,
        String leaderId,
        String leaderAddress,
        List<String> replicas,
        Set<String> inSync,
        WriteConcern writeConcern,
        Map<String, String> addresses,
        long generation) {
    /** An assignment of a database without a known generation. */
    public ReplicaAssignment(
            ShardKey key,
            ShardOptions options,
            long epoch,
            String leaderId,
            String leaderAddress,
            List<String> replicas,
            Set<String> inSync,
            WriteConcern writeConcern,
            Map<String, String> addresses) {
        this(key, options, epoch, leaderId, leaderAddress, replicas, inSync, writeConcern, addresses, 0);
    }

    public ReplicaAssignment {
        addresses = Map.copyOf(addresses);
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(writeConcern, "writeConcern");
        replicas = List.copyOf(replicas);
        inSync = Set.copyOf(inSync);
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1 [shard=" + key + ", epoch=" + epoch + "]");
        }
        if ((leaderId == null) != (leaderAddress == null)) {
            throw new IllegalArgumentException("leader id and address go together [shard=" + key + "]");
        }
    }

    /** Whether {@code nodeId} leads this shard. */
    public boolean isLedBy(String nodeId) {
        return nodeId.equals(leaderId);
    }
}
