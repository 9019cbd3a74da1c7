package io.meridian.storage.node;

import io.meridian.storage.replication.ReplicaAssignment;
import java.util.List;

/**
 * What a node should serve according to one metadata snapshot.
 *
 * @param assignments the replicas to serve, sorted by shard
 * @param skipped     shard states naming this node that cannot be served, each with the reason (for example a
 *                    database config that is missing or does not fit this node's {@code storage.segment-duration})
 */
public record AssignmentPlan(List<ReplicaAssignment> assignments, List<String> skipped) {
    public AssignmentPlan {
        assignments = List.copyOf(assignments);
        skipped = List.copyOf(skipped);
    }

    /** The same plan with the shards {@code nodeId} leads turned leaderless (served read-only). */
    public AssignmentPlan withoutLeadershipOf(String nodeId) {
        List<ReplicaAssignment> out = assignments.stream()
                .map(a -> !a.isLedBy(nodeId)
                        ? a
                        : new ReplicaAssignment(
                                a.key(),
                                a.options(),
                                a.epoch(),
                                null,
                                null,
                                a.replicas(),
                                a.inSync(),
                                a.writeConcern(),
                                a.addresses()))
                .toList();
        return new AssignmentPlan(out, skipped);
    }
}
