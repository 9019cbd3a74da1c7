package io.meridian.meta.model;

import java.util.Objects;

/**
 * One shard replica a storage node holds.
 *
 * @param knownState the shard state as this node last learned it (from its cache or on-disk snapshot)
 * @param lastSeq the last sequence this replica persisted
 */
public record ReplicaReport(ShardState knownState, long lastSeq) {
    public ReplicaReport {
        Objects.requireNonNull(knownState, "knownState");
    }
}
