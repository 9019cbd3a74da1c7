package io.meridian.meta.planner;

import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything the planners look at, as one immutable value.
 *
 * @param liveNodes registered (lease alive) nodes by id
 * @param liveSince since when the master has seen each live node (for the rebalance delay)
 * @param deadSince since when the master has missed each dead node that still holds replicas (for repair)
 * @param clusters storage clusters by name
 * @param databases database configs by name
 * @param states shard states
 * @param reports node reports by node id
 * @param now the time of the decision
 */
public record ClusterView(
        Map<String, NodeInfo> liveNodes,
        Map<String, Instant> liveSince,
        Map<String, Instant> deadSince,
        Map<String, StorageCluster> clusters,
        Map<String, DatabaseConfig> databases,
        Map<ShardId, ShardState> states,
        Map<String, NodeReport> reports,
        Instant now) {
    public ClusterView {
        liveNodes = sorted(liveNodes);
        liveSince = sorted(liveSince);
        deadSince = sorted(deadSince);
        clusters = sorted(clusters);
        databases = sorted(databases);
        states = sorted(states);
        reports = sorted(reports);
        Objects.requireNonNull(now, "now");
    }

    public static ClusterView empty(Instant now) {
        return new ClusterView(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), now);
    }

    /** Live storage node ids of one cluster, sorted. */
    public List<String> liveStorage(String cluster) {
        return liveNodes.values().stream()
                .filter(n -> n.role() == NodeRole.STORAGE && n.cluster().equals(cluster))
                .map(NodeInfo::id)
                .sorted()
                .toList();
    }

    public boolean isLive(String nodeId) {
        return liveNodes.containsKey(nodeId);
    }

    public ClusterView withNodes(Map<String, NodeInfo> nodes, Map<String, Instant> since) {
        return new ClusterView(nodes, since, deadSince, clusters, databases, states, reports, now);
    }

    public ClusterView withDeadSince(Map<String, Instant> dead) {
        return new ClusterView(liveNodes, liveSince, dead, clusters, databases, states, reports, now);
    }

    public ClusterView withNow(Instant newNow) {
        return new ClusterView(liveNodes, liveSince, deadSince, clusters, databases, states, reports, newNow);
    }

    public ClusterView withReports(Map<String, NodeReport> newReports) {
        return new ClusterView(liveNodes, liveSince, deadSince, clusters, databases, states, newReports, now);
    }

    /** This view with {@code changes} applied, as the master's writes would leave etcd. */
    public ClusterView apply(List<MetaChange> changes) {
        Map<String, StorageCluster> c = new TreeMap<>(clusters);
        Map<String, DatabaseConfig> d = new TreeMap<>(databases);
        Map<ShardId, ShardState> s = new TreeMap<>(states);
        for (MetaChange change : changes) {
            if (change instanceof MetaChange.PutCluster p) {
                c.put(p.cluster().name(), p.cluster());
            } else if (change instanceof MetaChange.DeleteCluster x) {
                c.remove(x.name());
            } else if (change instanceof MetaChange.PutDatabase p) {
                d.put(p.config().name(), p.config());
            } else if (change instanceof MetaChange.DeleteDatabase x) {
                d.remove(x.name());
            } else if (change instanceof MetaChange.PutShard p) {
                s.put(p.state().id(), p.state());
            } else if (change instanceof MetaChange.DeleteShard x) {
                s.remove(x.id());
            }
        }
        return new ClusterView(liveNodes, liveSince, deadSince, c, d, s, reports, now);
    }

    private static <K, V> Map<K, V> sorted(Map<K, V> m) {
        return Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(m)));
    }
}
