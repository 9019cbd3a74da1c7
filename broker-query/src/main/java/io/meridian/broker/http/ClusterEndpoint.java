package io.meridian.broker.http;

import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.MasterInfo;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.StorageCluster;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/cluster}: the cluster as this broker's metadata cache sees it. Nodes are the registered
 * ones (a registration lives while the node's lease does, so every listed node is {@code alive}); the master;
 * the storage clusters; per database its shards with replicas, leader, epoch, in-sync set and each replica's
 * last sequence and lag (leader's sequence minus the replica's, as last reported).
 */
final class ClusterEndpoint {
    private final Supplier<MetaSnapshot> snapshot;

    ClusterEndpoint(Supplier<MetaSnapshot> snapshot) {
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    }

    void register(HttpRoutes routes) {
        routes.add("GET", "/api/v1/cluster", "cluster", r -> ApiResponse.json(200, view(snapshot.get())));
    }

    static Map<String, Object> view(MetaSnapshot s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("revision", s.revision());
        List<Object> nodes = new ArrayList<>();
        for (NodeInfo n : s.nodes().values()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", n.id());
            node.put("role", n.role().key());
            node.put("idc", n.idc());
            node.put("cluster", n.cluster());
            node.put("address", n.address());
            node.put("httpPort", n.httpPort());
            node.put("version", n.version());
            node.put("startTime", n.startTime().toString());
            node.put("alive", true);
            nodes.add(node);
        }
        out.put("nodes", nodes);
        MasterInfo m = s.master();
        out.put(
                "master",
                m == null
                        ? null
                        : Map.of(
                                "nodeId",
                                m.nodeId(),
                                "address",
                                m.address(),
                                "electedAt",
                                m.electedAt().toString()));
        List<Object> clusters = new ArrayList<>();
        for (StorageCluster c : s.clusters().values()) {
            clusters.add(Map.of("name", c.name(), "idc", c.idc()));
        }
        out.put("clusters", clusters);
        Map<String, Object> dbs = new LinkedHashMap<>();
        s.databases().forEach((name, config) -> {
            Map<String, Object> db = new LinkedHashMap<>();
            db.put("shards", config.shards());
            db.put("replicas", config.replicas());
            List<Object> states = new ArrayList<>();
            s.states().values().stream()
                    .filter(st -> st.db().equals(name))
                    .forEach(st -> states.add(DatabasesEndpoint.shardJson(st)));
            db.put("shardStates", states);
            dbs.put(name, db);
        });
        out.put("databases", dbs);
        return out;
    }
}
