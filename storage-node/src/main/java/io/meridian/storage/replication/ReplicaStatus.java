package io.meridian.storage.replication;

import io.meridian.storage.server.ShardKey;
import java.util.Objects;

/**
 * What this node holds of one shard, for its meta report: the master merges {@code lastLsn} into the shard
 * state and promotes the in-sync replica with the highest one when a leader dies.
 *
 * @param key     database and shard
 * @param epoch   the epoch this replica serves at
 * @param lastLsn the last replica-log sequence this replica persisted
 */
public record ReplicaStatus(ShardKey key, long epoch, long lastLsn) {
    public ReplicaStatus {
        Objects.requireNonNull(key, "key");
    }
}
