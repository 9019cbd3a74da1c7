package io.meridian.meta.planner;

import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.ReplicaReport;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds metadata lost with etcd's data from what nodes report they hold (self-healing).
 *
 * <ul>
 *   <li>storage clusters: from live storage nodes' (cluster, idc);</li>
 *   <li>databases: the config reported by the most nodes (ties: by node id);</li>
 *   <li>shard states: per shard, the state with the highest epoch among the reports (ties: the one reported
 *       by the leader it names), with each replica's own reported sequence merged in.</li>
 * </ul>
 * Only metadata missing from the view is written: anything already present wins.
 */
public final class RebuildPlanner {
    public List<MetaChange> rebuild(ClusterView view) {
        List<MetaChange> changes = new ArrayList<>();
        Map<String, StorageCluster> clusters = new TreeMap<>();
        for (NodeInfo n : view.liveNodes().values()) {
            if (n.role() == NodeRole.STORAGE && !view.clusters().containsKey(n.cluster())) {
                clusters.putIfAbsent(n.cluster(), new StorageCluster(n.cluster(), n.idc()));
            }
        }
        clusters.values().forEach(c -> changes.add(new MetaChange.PutCluster(c)));

        Map<String, Map<DatabaseConfig, Integer>> votes = new TreeMap<>();
        Map<ShardId, ShardState> best = new TreeMap<>();
        Map<ShardId, Map<String, Long>> seqs = new TreeMap<>();
        for (NodeReport report : view.reports().values()) {
            for (DatabaseConfig db : report.databases()) {
                votes.computeIfAbsent(db.name(), k -> new LinkedHashMap<>()).merge(db, 1, Integer::sum);
            }
            for (ReplicaReport r : report.replicas()) {
                ShardState s = r.knownState();
                best.merge(s.id(), s, RebuildPlanner::newer);
                seqs.computeIfAbsent(s.id(), k -> new TreeMap<>()).merge(report.nodeId(), r.lastSeq(), Math::max);
            }
        }
        votes.forEach((name, counts) -> {
            if (!view.databases().containsKey(name)) {
                DatabaseConfig winner = counts.entrySet().stream()
                        .max(Map.Entry.<DatabaseConfig, Integer>comparingByValue())
                        .orElseThrow()
                        .getKey();
                changes.add(new MetaChange.PutDatabase(winner));
            }
        });
        best.forEach((id, s) -> {
            if (!view.states().containsKey(id)) {
                Map<String, Long> merged = new TreeMap<>(s.lastSeq());
                seqs.get(id).forEach((node, seq) -> {
                    if (s.replicas().contains(node)) {
                        merged.merge(node, seq, Math::max);
                    }
                });
                changes.add(new MetaChange.PutShard(s.withLastSeq(merged)));
            }
        });
        return List.copyOf(changes);
    }

    private static ShardState newer(ShardState a, ShardState b) {
        return Comparator.comparingLong(ShardState::epoch).compare(a, b) >= 0 ? a : b;
    }
}
