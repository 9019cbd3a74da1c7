package io.meridian.meta.planner;

import io.meridian.common.model.IntervalSpec;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.model.WriteConcern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test fixtures: cluster views, nodes and configs. */
final class Views {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Views() {}

    static NodeInfo storage(String id, String cluster) {
        return new NodeInfo(id, NodeRole.STORAGE, "127.0.0.1", 9000, 0, "idc1", cluster, "test", T0);
    }

    static DatabaseConfig db(String name, int shards, int replicas, String... clusters) {
        return new DatabaseConfig(
                name,
                shards,
                replicas,
                WriteConcern.MAJORITY,
                List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("5m", "180d")),
                List.of(clusters));
    }

    /** A view with cluster c1 and live storage nodes with the given ids, all live since long before T0. */
    static ClusterView withNodes(String... ids) {
        Map<String, NodeInfo> nodes = new HashMap<>();
        Map<String, Instant> since = new HashMap<>();
        for (String id : ids) {
            nodes.put(id, storage(id, "c1"));
            since.put(id, T0.minusSeconds(3600));
        }
        return ClusterView.empty(T0)
                .apply(List.of(new MetaChange.PutCluster(new StorageCluster("c1", "idc1"))))
                .withNodes(nodes, since);
    }

    /** The nodes die now (the master notices at once). */
    static ClusterView kill(ClusterView v, String... ids) {
        Map<String, NodeInfo> nodes = new HashMap<>(v.liveNodes());
        Map<String, Instant> since = new HashMap<>(v.liveSince());
        Map<String, Instant> dead = new HashMap<>(v.deadSince());
        for (String id : ids) {
            if (nodes.remove(id) != null) {
                dead.put(id, v.now());
            }
            since.remove(id);
        }
        return v.withNodes(nodes, since).withDeadSince(dead);
    }

    static ClusterView join(ClusterView v, String id) {
        Map<String, NodeInfo> nodes = new HashMap<>(v.liveNodes());
        Map<String, Instant> since = new HashMap<>(v.liveSince());
        nodes.put(id, storage(id, "c1"));
        since.put(id, v.now());
        Map<String, Instant> dead = new HashMap<>(v.deadSince());
        dead.remove(id);
        return v.withNodes(nodes, since).withDeadSince(dead);
    }

    /** Applies reconcile until it returns nothing; fails if it does not converge in {@code maxRounds}. */
    static ClusterView settle(ShardPlanner planner, ClusterView v, int maxRounds) {
        for (int i = 0; i < maxRounds; i++) {
            List<MetaChange> changes = planner.reconcile(v);
            if (changes.isEmpty()) {
                return v;
            }
            v = v.apply(changes);
        }
        throw new AssertionError("planner did not converge in " + maxRounds + " rounds: " + planner.reconcile(v));
    }

    static Map<String, Integer> replicaLoad(ClusterView v) {
        Map<String, Integer> load = new HashMap<>();
        v.liveNodes().keySet().forEach(n -> load.put(n, 0));
        for (ShardState s : v.states().values()) {
            s.replicas().forEach(n -> load.merge(n, 1, Integer::sum));
        }
        return load;
    }

    static List<ShardState> states(ClusterView v) {
        return new ArrayList<>(v.states().values());
    }
}
