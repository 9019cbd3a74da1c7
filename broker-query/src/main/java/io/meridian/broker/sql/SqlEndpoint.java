package io.meridian.broker.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.broker.http.ApiRequest;
import io.meridian.broker.http.ApiResponse;
import io.meridian.broker.http.HttpRoutes;
import io.meridian.common.error.InvalidInputException;
import io.meridian.sql.SqlAnswer;
import io.meridian.sql.SqlEngine;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * {@code POST /api/v1/sql} (API.md): body {@code {"sql":"...","db":"DB"}}, or the statement as text/plain with
 * {@code ?db=}. 200 with {@code {"columns":[{"name","type"}],"rows":[[...]],"stats":{"planningMs","executionMs"}}}; a
 * SQL error is a 400 naming the line, the column and the reason.
 */
public final class SqlEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqlEngine engine;

    public SqlEndpoint(SqlEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    /** The keys of a JSON request body. */
    private static final List<String> BODY_KEYS = List.of("db", "sql");

    public void register(HttpRoutes routes) {
        routes.add("POST", "/api/v1/sql", "sql", this::sql);
    }

    private ApiResponse sql(ApiRequest req) {
        String sql;
        String db = req.param("db");
        String type = req.header("content-type");
        if (type != null && type.startsWith("text/plain")) {
            sql = req.bodyText();
        } else {
            JsonNode body;
            try {
                body = JSON.readTree(req.requireBody());
            } catch (IOException e) {
                throw new InvalidInputException("invalid request body: not JSON: " + e.getMessage()
                        + "; send {\"sql\":\"...\",\"db\":\"...\"} or text/plain with ?db=");
            }
            if (body == null || !body.isObject() || !body.path("sql").isTextual()) {
                throw new InvalidInputException(
                        "invalid request body [field=sql]: want {\"sql\":\"...\",\"db\":\"...\"}");
            }
            for (Iterator<String> keys = body.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (!BODY_KEYS.contains(key)) {
                    // a misspelt "database" must not run the statement without its database
                    throw new InvalidInputException("unknown key [$." + key + "]: want one of " + BODY_KEYS
                            + (key.equalsIgnoreCase("database") ? "; the database is \"db\"" : ""));
                }
            }
            sql = body.get("sql").asText();
            if (body.has("db")) {
                if (!body.get("db").isTextual()) {
                    throw new InvalidInputException("invalid request body [field=db]: want a database name string");
                }
                db = body.get("db").asText();
            }
        }
        SqlAnswer answer = engine.execute(db, sql);
        return ApiResponse.binary(200, SqlAnswerJson.bytes(answer), ApiResponse.JSON_TYPE);
    }
}
