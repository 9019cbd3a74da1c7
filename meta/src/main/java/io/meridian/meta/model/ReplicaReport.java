package io.meridian.meta.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One shard replica a storage node holds.
 *
 * @param knownState the shard state as this node last learned it (from its cache or on-disk snapshot)
 * @param lastSeq the last sequence this replica persisted
 * @param problem why the replica cannot serve as a leader right now (its shard stopped after a storage failure,
 *                its files are damaged, its disk is past the free-space watermark), or null when it is healthy;
 *                the master moves leadership away from a leader that reports one when an in-sync replica without
 *                one exists. Omitted from the JSON when null (older readers ignore it)
 */
public record ReplicaReport(
        ShardState knownState,
        long lastSeq,
        @JsonInclude(JsonInclude.Include.NON_NULL) String problem) {
    public ReplicaReport {
        Objects.requireNonNull(knownState, "knownState");
    }

    /** A healthy replica. */
    public ReplicaReport(ShardState knownState, long lastSeq) {
        this(knownState, lastSeq, null);
    }
}
