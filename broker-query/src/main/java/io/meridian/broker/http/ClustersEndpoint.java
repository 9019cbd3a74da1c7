package io.meridian.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.StorageCluster;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Storage clusters and their IDC (ARCHITECTURE §8): {@code POST /api/v1/clusters} {@code {"name":"c2","idc":"idc2"}}
 * (201; 409 when it exists), {@code GET /api/v1/clusters}, {@code DELETE /api/v1/clusters/{name}} (204; refused
 * while a database uses it). A database spans the clusters it names; each IDC stores what was written there.
 * Create and drop go through the master.
 */
final class ClustersEndpoint {
    private static final Set<String> FIELDS = Set.of("name", "idc");

    private final MasterGateway master;
    private final Supplier<MetaSnapshot> snapshot;

    ClustersEndpoint(MasterGateway master, Supplier<MetaSnapshot> snapshot) {
        this.master = Objects.requireNonNull(master, "master");
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    }

    void register(HttpRoutes routes) {
        routes.add("POST", "/api/v1/clusters", "clusters.create", this::create);
        routes.add("GET", "/api/v1/clusters", "clusters.list", this::list);
        routes.add("DELETE", "/api/v1/clusters/{name}", "clusters.drop", this::drop);
    }

    private ApiResponse create(ApiRequest req) {
        StorageCluster cluster = parse(req.requireBody());
        return master.atMaster(req, m -> {
            m.createCluster(cluster);
            return ApiResponse.json(201, json(cluster));
        });
    }

    private ApiResponse list(ApiRequest req) {
        List<Object> out = new ArrayList<>();
        snapshot.get().clusters().values().forEach(c -> out.add(json(c)));
        return ApiResponse.json(200, Map.of("clusters", out));
    }

    private ApiResponse drop(ApiRequest req) {
        String name = req.pathParam("name");
        return master.atMaster(req, m -> {
            m.dropCluster(name);
            return ApiResponse.noContent();
        });
    }

    private static Map<String, Object> json(StorageCluster c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", c.name());
        out.put("idc", c.idc());
        return out;
    }

    static StorageCluster parse(byte[] body) {
        JsonNode root;
        try {
            root = ApiResponse.JSON.readTree(body);
        } catch (IOException e) {
            throw new InvalidInputException("invalid request body: not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(
                    "invalid request body: want a JSON object like {\"name\":\"c1\",\"idc\":\"idc1\"}");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new InvalidInputException("unknown field [field=" + f + "]: want one of " + FIELDS);
            }
        }
        return new StorageCluster(text(root, "name"), text(root, "idc"));
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new InvalidInputException("invalid field [field=" + field + "]: want a string");
        }
        return n.asText();
    }
}
