package io.meridian.meta.cache;

import io.meridian.meta.model.ClusterMarker;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.MasterInfo;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The decoded metadata at one etcd revision. Immutable.
 *
 * @param revision the etcd revision it reflects
 * @param marker the cluster marker, null if etcd is new or wiped
 * @param master the current master, null if none
 * @param nodes live nodes by id
 * @param clusters storage clusters by name
 * @param databases database configs by name
 * @param states shard states keyed by {@link #stateKey}
 * @param reports node reports by node id
 */
public record MetaSnapshot(
        long revision,
        ClusterMarker marker,
        MasterInfo master,
        Map<String, NodeInfo> nodes,
        Map<String, StorageCluster> clusters,
        Map<String, DatabaseConfig> databases,
        Map<String, ShardState> states,
        Map<String, NodeReport> reports) {
    public MetaSnapshot {
        nodes = frozen(nodes);
        clusters = frozen(clusters);
        databases = frozen(databases);
        states = frozen(states);
        reports = frozen(reports);
    }

    public static MetaSnapshot empty() {
        return new MetaSnapshot(0, null, null, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    public static String stateKey(String db, String cluster, int shard) {
        return db + "/" + cluster + "/" + shard;
    }

    public ShardState state(ShardId id) {
        return states.get(stateKey(id.db(), id.cluster(), id.shard()));
    }

    /**
     * The cluster of {@code db} a node of {@code idc} reads and writes: the database's cluster in that IDC, or its
     * first cluster when it has none there.
     */
    public String homeCluster(DatabaseConfig db, String idc) {
        for (String c : db.clusters()) {
            StorageCluster cluster = clusters.get(c);
            if (cluster != null && cluster.idc().equals(idc)) {
                return c;
            }
        }
        return db.clusters().get(0);
    }

    /** Shard states in which {@code nodeId} holds a replica: what a storage node serves. */
    public List<ShardState> replicasOf(String nodeId) {
        return states.values().stream()
                .filter(s -> s.replicas().contains(nodeId))
                .toList();
    }

    /** The roles of {@code nodeId} for every shard it holds a replica of: how a storage node learns its work. */
    public List<ShardRole> rolesOf(String nodeId) {
        return replicasOf(nodeId).stream().map(s -> ShardRole.of(s, nodeId)).toList();
    }

    /** States keyed by {@link ShardId}, for planners. */
    public Map<ShardId, ShardState> statesById() {
        Map<ShardId, ShardState> byId = new TreeMap<>();
        states.values().forEach(s -> byId.put(s.id(), s));
        return byId;
    }

    private static <V> Map<String, V> frozen(Map<String, V> m) {
        return Collections.unmodifiableMap(new TreeMap<>(m));
    }
}
