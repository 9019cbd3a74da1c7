package io.meridian.meta.planner;

import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ReplicaReport;
import io.meridian.meta.model.ShardState;
import java.util.Map;
import java.util.TreeMap;

/** Folds the sequences that replicas report into a shard state. A sequence never goes down. */
final class ReportMerger {
    private ReportMerger() {}

    static ShardState merge(ClusterView view, ShardState s) {
        Map<String, Long> seqs = new TreeMap<>(s.lastSeq());
        for (String node : s.replicas()) {
            NodeReport report = view.reports().get(node);
            if (report == null) {
                continue;
            }
            for (ReplicaReport r : report.replicas()) {
                if (r.knownState().id().equals(s.id())) {
                    seqs.merge(node, r.lastSeq(), Math::max);
                }
            }
        }
        return seqs.equals(s.lastSeq()) ? s : s.withLastSeq(seqs);
    }

    /** The problem {@code node} reports with its replica of this shard, or null (healthy, or no report). */
    static String problemOf(ClusterView view, String node, ShardState s) {
        NodeReport report = view.reports().get(node);
        if (report == null) {
            return null;
        }
        return report.replicas().stream()
                .filter(r -> r.knownState().id().equals(s.id()) && r.problem() != null)
                .map(ReplicaReport::problem)
                .findFirst()
                .orElse(null);
    }

    /** Whether {@code node} reports this shard at the state's current epoch. */
    static boolean reportsEpoch(ClusterView view, String node, ShardState s) {
        NodeReport report = view.reports().get(node);
        return report != null
                && report.replicas().stream()
                        .anyMatch(r -> r.knownState().id().equals(s.id())
                                && r.knownState().epoch() == s.epoch());
    }
}
