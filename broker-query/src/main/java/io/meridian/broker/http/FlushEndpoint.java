package io.meridian.broker.http;

import io.meridian.broker.admin.ReplicaFlusher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST /api/v1/databases/{db}/flush}: writes the memtable of every replica of the database as parts now
 * ({@link ReplicaFlusher}). Answers 200 with each replica's flushed points, or 503 with the same list when any replica
 * could not be flushed, each failure with its reason (the others were flushed: sending it again is safe). 404 for an
 * unknown database.
 */
public final class FlushEndpoint {
    private final ReplicaFlusher flusher;

    public FlushEndpoint(ReplicaFlusher flusher) {
        this.flusher = Objects.requireNonNull(flusher, "flusher");
    }

    public void register(HttpRoutes routes) {
        routes.add("POST", "/api/v1/databases/{db}/flush", "databases.flush", this::flush);
    }

    private ApiResponse flush(ApiRequest req) {
        String db = req.pathParam("db");
        List<ReplicaFlusher.Replica> replicas = flusher.flush(db);
        long points = 0;
        int failed = 0;
        List<Map<String, Object>> list = new ArrayList<>();
        for (ReplicaFlusher.Replica r : replicas) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cluster", r.cluster());
            m.put("shard", r.shard());
            m.put("node", r.node());
            m.put("points", r.points());
            if (!r.ok()) {
                m.put("error", r.error());
                failed++;
            }
            points += r.points();
            list.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("database", db);
        body.put("points", points);
        body.put("failed", failed);
        body.put("replicas", list);
        return ApiResponse.json(failed == 0 ? 200 : 503, body);
    }
}
