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
 * @param problem why this replica cannot lead right now (its shard stopped after a storage failure and is not
 *                reopened yet, its files are damaged, its disk is past the watermark), or null when healthy
 */
public record ReplicaStatus(ShardKey key, long epoch, long lastLsn, String problem) {
    public ReplicaStatus {
        Objects.requireNonNull(key, "key");
    }

    /** A healthy replica. */
    public ReplicaStatus(ShardKey key, long epoch, long lastLsn) {
        this(key, epoch, lastLsn, null);
    }
}
