package io.meridian.broker.influx;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.broker.http.ApiRequest;
import io.meridian.broker.http.ApiResponse;
import io.meridian.broker.http.HttpRoutes;
import io.meridian.common.error.InvalidInputException;
import io.meridian.sql.influxql.Epoch;
import io.meridian.sql.influxql.InfluxQlParseException;
import io.meridian.sql.influxql.InfluxQlResponse;
import io.meridian.sql.influxql.InfluxQlService;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * InfluxDB 1.x's query API for Grafana's InfluxDB data source, the {@code influx} CLI and the 1.x client libraries:
 * {@code GET|POST /query?db=&q=&epoch=&pretty=}, parameters in the query string or, for POST, in a
 * {@code application/x-www-form-urlencoded} body (what the clients send). {@code GET|HEAD /ping} answers 204 with
 * {@code X-Influxdb-Version}, as clients check it before their first query.
 *
 * <p>Answers as InfluxDB 1.x does: 200 with one result per statement, an error inside a statement's result; 400
 * {@code {"error":"error parsing query: ..."}} when {@code q} does not parse or is missing (nothing ran). {@code u}
 * and {@code p} are accepted and ignored until Meridian has authentication. The InfluxQL itself is
 * {@link InfluxQlService} (docs/influxql.md).
 */
public final class InfluxQueryEndpoint {
    /** What {@code /ping} reports: the InfluxDB API version these endpoints follow, and Meridian's. */
    static final String VERSION = "1.8.10-meridian";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InfluxQlService service;

    public InfluxQueryEndpoint(InfluxQlService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    public void register(HttpRoutes routes) {
        routes.add("GET", "/query", "influxql", this::query);
        routes.add("POST", "/query", "influxql", this::query);
        routes.add("GET", "/ping", "influx.ping", r -> ping());
        routes.add("HEAD", "/ping", "influx.ping", r -> ping());
    }

    private static ApiResponse ping() {
        return ApiResponse.noContent().withHeader("X-Influxdb-Version", VERSION).withHeader("X-Influxdb-Build", "OSS");
    }

    private ApiResponse query(ApiRequest req) {
        Map<String, List<String>> form = form(req);
        String q = param(req, form, "q");
        String db = param(req, form, "db");
        boolean pretty = "true".equalsIgnoreCase(param(req, form, "pretty"));
        InfluxQlResponse answer;
        try {
            answer = service.execute(db == null || db.isEmpty() ? null : db, q, Epoch.parse(param(req, form, "epoch")));
        } catch (InfluxQlParseException e) {
            return influx(400, InfluxQlResponse.requestError("error parsing query: " + e.getMessage()), pretty);
        } catch (InvalidInputException e) {
            return influx(400, InfluxQlResponse.requestError(e.getMessage()), pretty);
        }
        return influx(200, answer.toJson(), pretty);
    }

    private static ApiResponse influx(int status, String json, boolean pretty) {
        String body = json;
        if (pretty) {
            try {
                body = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(json));
            } catch (IOException e) {
                throw new IllegalStateException("BUG: an InfluxQL answer is not JSON", e);
            }
        }
        return ApiResponse.rawJson(status, body).withHeader("X-Influxdb-Version", VERSION);
    }

    /** A parameter from the query string, else from the form body. */
    private static String param(ApiRequest req, Map<String, List<String>> form, String name) {
        String v = req.param(name);
        if (v != null) {
            return v;
        }
        List<String> f = form.get(name);
        return f == null || f.isEmpty() ? null : f.get(0);
    }

    private static Map<String, List<String>> form(ApiRequest req) {
        String type = req.header("content-type");
        if (!req.method().equals("POST")
                || req.body().length == 0
                || (type != null && !type.startsWith("application/x-www-form-urlencoded"))) {
            return Map.of();
        }
        return new QueryStringDecoder(new String(req.body(), StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
                .parameters();
    }
}
