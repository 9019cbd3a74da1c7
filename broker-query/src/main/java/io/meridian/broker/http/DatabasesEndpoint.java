package io.meridian.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Durations;
import io.meridian.common.model.IntervalSpec;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.WriteConcern;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Database DDL and reads (API.md): {@code POST /api/v1/databases} (201 with the stored config, 409 when it
 * exists), {@code GET /api/v1/databases}, {@code GET /api/v1/databases/{db}} (config and shard states),
 * {@code DELETE /api/v1/databases/{db}} (204, 404). Create and drop go through the master
 * ({@link MasterGateway}); reads answer from this broker's metadata cache.
 *
 * <p>Create body: {@code {"name","shards","replicas","intervals":[{"interval","retention"}],
 * "writeConcern":"leader|majority|all" (default majority), "clusters":[...] (default: every storage cluster)}}.
 */
final class DatabasesEndpoint {
    private static final Set<String> FIELDS =
            Set.of("name", "shards", "replicas", "intervals", "writeConcern", "clusters");

    private static final Logger LOG = LoggerFactory.getLogger(DatabasesEndpoint.class);
    /** How long DDL waits for this broker's own metadata to show its effect (read your writes). */
    private static final Duration OWN_VIEW_WAIT = Duration.ofSeconds(10);

    private final MasterGateway master;
    private final MetaCache cache;

    DatabasesEndpoint(MasterGateway master, MetaCache cache) {
        this.master = Objects.requireNonNull(master, "master");
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    void register(HttpRoutes routes) {
        routes.add("POST", "/api/v1/databases", "databases.create", this::create);
        routes.add("GET", "/api/v1/databases", "databases.list", this::list);
        routes.add("GET", "/api/v1/databases/{db}", "databases.describe", this::describe);
        routes.add("DELETE", "/api/v1/databases/{db}", "databases.drop", this::drop);
    }

    private ApiResponse create(ApiRequest req) {
        DatabaseConfig config = parse(req.requireBody(), cache.snapshot());
        ApiResponse created = master.atMaster(req, m -> {
            m.createDatabase(config);
            return ApiResponse.json(201, json(config));
        });
        // the 201 means this broker takes writes for it at once: its own view (watch-fed) must have caught up
        awaitOwnView(s -> s.databases().containsKey(config.name()), "create database " + config.name());
        return created;
    }

    private ApiResponse list(ApiRequest req) {
        List<Object> dbs = new ArrayList<>();
        cache.snapshot().databases().values().forEach(c -> dbs.add(json(c)));
        return ApiResponse.json(200, Map.of("databases", dbs));
    }

    private ApiResponse describe(ApiRequest req) {
        String db = req.pathParam("db");
        MetaSnapshot s = cache.snapshot();
        DatabaseConfig config = s.databases().get(db);
        if (config == null) {
            throw InvalidInputException.notFound("database", db);
        }
        Map<String, Object> out = json(config);
        List<Object> shards = new ArrayList<>();
        s.states().values().stream().filter(st -> st.db().equals(db)).forEach(st -> shards.add(shardJson(st)));
        out.put("shards", shards);
        return ApiResponse.json(200, out);
    }

    private ApiResponse drop(ApiRequest req) {
        String db = req.pathParam("db");
        ApiResponse dropped = master.atMaster(req, m -> {
            m.dropDatabase(db);
            return ApiResponse.noContent();
        });
        awaitOwnView(s -> !s.databases().containsKey(db), "drop database " + db);
        return dropped;
    }

    private void awaitOwnView(Predicate<MetaSnapshot> done, String what) {
        if (cache.await(done, OWN_VIEW_WAIT).isEmpty()) {
            LOG.warn(
                    "this broker's metadata does not show a committed DDL yet [ddl={}, waitedMs={}]",
                    what,
                    OWN_VIEW_WAIT.toMillis());
        }
    }

    /** A shard state as JSON: replicas with their sequence and lag behind the leader. */
    static Map<String, Object> shardJson(ShardState st) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("shard", st.shard());
        out.put("cluster", st.cluster());
        out.put("leader", st.leader());
        out.put("epoch", st.epoch());
        out.put("inSync", List.copyOf(st.inSync()));
        long leaderSeq = st.leader() == null ? 0 : st.seqOf(st.leader());
        List<Object> replicas = new ArrayList<>();
        for (String node : st.replicas()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("node", node);
            r.put("leader", node.equals(st.leader()));
            r.put("inSync", st.inSync().contains(node));
            r.put("lastSeq", st.seqOf(node));
            r.put("lag", st.leader() == null ? null : Math.max(0, leaderSeq - st.seqOf(node)));
            replicas.add(r);
        }
        out.put("replicas", replicas);
        return out;
    }

    static Map<String, Object> json(DatabaseConfig c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", c.name());
        out.put("shards", c.shards());
        out.put("replicas", c.replicas());
        out.put("writeConcern", c.writeConcern().name().toLowerCase(Locale.ROOT));
        List<Object> intervals = new ArrayList<>();
        c.intervals()
                .forEach(i -> intervals.add(Map.of(
                        "interval", Durations.format(i.interval()), "retention", Durations.format(i.retention()))));
        out.put("intervals", intervals);
        out.put("clusters", c.clusters());
        return out;
    }

    /**
     * Reads a create request.
     *
     * @throws InvalidInputException naming the field: not JSON, unknown or missing field, wrong type, bad value
     */
    static DatabaseConfig parse(byte[] body, MetaSnapshot snapshot) {
        JsonNode root;
        try {
            root = ApiResponse.JSON.readTree(body);
        } catch (IOException e) {
            throw new InvalidInputException("invalid request body: not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(
                    "invalid request body: want a JSON object with name, shards, replicas" + " and intervals");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new InvalidInputException("unknown field [field=" + f + "]: want one of " + FIELDS);
            }
        }
        String name = text(root, "name");
        int shards = positiveInt(root, "shards");
        int replicas = positiveInt(root, "replicas");
        JsonNode iv = root.get("intervals");
        if (iv == null || !iv.isArray() || iv.isEmpty()) {
            throw new InvalidInputException("invalid field [field=intervals]: want a non-empty list like"
                    + " [{\"interval\":\"10s\",\"retention\":\"30d\"}]");
        }
        List<IntervalSpec> intervals = new ArrayList<>();
        for (int i = 0; i < iv.size(); i++) {
            JsonNode n = iv.get(i);
            String where = "intervals[" + i + "]";
            if (!n.isObject()) {
                throw new InvalidInputException(
                        "invalid field [field=" + where + "]: want an object with interval" + " and retention");
            }
            String interval = text(n, "interval", where + ".interval");
            String retention = text(n, "retention", where + ".retention");
            try {
                intervals.add(IntervalSpec.parse(interval, retention));
            } catch (InvalidInputException e) {
                throw new InvalidInputException("invalid field [field=" + where + "]: " + e.getMessage());
            }
        }
        WriteConcern concern = WriteConcern.MAJORITY;
        if (root.has("writeConcern")) {
            String wc = text(root, "writeConcern");
            try {
                concern = WriteConcern.valueOf(wc.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(
                        "invalid field [field=writeConcern]: got '" + wc + "'; want one of leader, majority, all");
            }
        }
        List<String> clusters = new ArrayList<>();
        if (root.has("clusters")) {
            JsonNode cl = root.get("clusters");
            if (!cl.isArray()) {
                throw new InvalidInputException("invalid field [field=clusters]: want a list of storage cluster names");
            }
            for (int i = 0; i < cl.size(); i++) {
                if (!cl.get(i).isTextual()) {
                    throw new InvalidInputException("invalid field [field=clusters[" + i + "]]: want a string");
                }
                clusters.add(cl.get(i).textValue());
            }
        } else {
            clusters.addAll(snapshot.clusters().keySet());
            if (clusters.isEmpty()) {
                throw new InvalidInputException("invalid field [field=clusters]: no storage cluster is known yet;"
                        + " start storage nodes or name the clusters");
            }
        }
        try {
            return new DatabaseConfig(name, shards, replicas, concern, intervals, clusters);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("invalid database [database=" + name + "]: " + e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        return text(node, field, field);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidInputException("missing field [field=" + where + "]");
        }
        if (!v.isTextual()) {
            throw new InvalidInputException("invalid field [field=" + where + "]: want a string; got " + v);
        }
        return v.textValue();
    }

    private static int positiveInt(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidInputException("missing field [field=" + field + "]");
        }
        if (!v.isInt() || v.intValue() <= 0) {
            throw new InvalidInputException("invalid field [field=" + field + "]: want a positive integer; got " + v);
        }
        return v.intValue();
    }
}
