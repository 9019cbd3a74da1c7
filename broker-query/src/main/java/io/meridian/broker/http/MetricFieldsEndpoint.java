package io.meridian.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.broker.write.FieldDeclarer;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.Names;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/databases/{db}/metrics/{metric}} with {@code {"fields":{"requests":"sum","latency":
 * "histogram"}}}: declares field types on every shard leader of the database. Field types are those of
 * {@link FieldType} ({@code counter} is an alias of {@code sum}); an unknown one is 400 naming the field and
 * the valid types; a field declared before with another type is the storage error's status (409
 * TYPE_CONFLICT). Answers 200 with the declared fields.
 */
final class MetricFieldsEndpoint {
    private static final String VALID_TYPES = "gauge, sum, counter, min, max, first, last, histogram";

    private final Supplier<MetaSnapshot> snapshot;
    private final FieldDeclarer declarer;

    MetricFieldsEndpoint(Supplier<MetaSnapshot> snapshot, FieldDeclarer declarer) {
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
        this.declarer = Objects.requireNonNull(declarer, "declarer");
    }

    void register(HttpRoutes routes) {
        routes.add("POST", "/api/v1/databases/{db}/metrics/{metric}", "metrics.declare", this::declare);
    }

    private ApiResponse declare(ApiRequest req) {
        String db = req.pathParam("db");
        String metric = req.pathParam("metric");
        DatabaseConfig config = snapshot.get().databases().get(db);
        if (config == null) {
            throw InvalidInputException.notFound("database", db);
        }
        Names.requireValid("metric", metric);
        Map<String, FieldType> fields = parse(req.requireBody());
        declarer.declare(db, config.shards(), metric, fields);
        Map<String, String> declared = new LinkedHashMap<>();
        fields.forEach((f, t) -> declared.put(f, t.displayName()));
        return ApiResponse.json(200, Map.of("database", db, "metric", metric, "fields", declared));
    }

    /** @throws InvalidInputException naming the field: not JSON, no fields, a bad name or an unknown type */
    static Map<String, FieldType> parse(byte[] body) {
        JsonNode root;
        try {
            root = ApiResponse.JSON.readTree(body);
        } catch (IOException e) {
            throw new InvalidInputException("invalid request body: not JSON: " + e.getMessage());
        }
        JsonNode fields = root == null ? null : root.get("fields");
        if (fields == null || !fields.isObject() || fields.isEmpty()) {
            throw new InvalidInputException("invalid field [field=fields]: want an object of field name to type, e.g."
                    + " {\"fields\":{\"requests\":\"sum\"}}");
        }
        Map<String, FieldType> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            Names.requireValid("field", name);
            if (!e.getValue().isTextual()) {
                throw new InvalidInputException("invalid field type [field=" + name + "]: want a string, one of "
                        + VALID_TYPES + "; got " + e.getValue());
            }
            try {
                out.put(name, FieldType.parse(e.getValue().textValue()));
            } catch (InvalidInputException bad) {
                throw new InvalidInputException("invalid field type [field=" + name + ", type="
                        + e.getValue().textValue() + "]: want one of " + VALID_TYPES);
            }
        }
        return out;
    }
}
