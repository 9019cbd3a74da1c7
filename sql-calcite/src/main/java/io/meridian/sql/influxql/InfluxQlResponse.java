package io.meridian.sql.influxql;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The answer of InfluxDB 1.x's {@code /query}: one {@link Result} per statement, serialized by Jackson (or
 * {@link #toJson()}) into exactly InfluxDB's JSON, empty parts left out:
 *
 * <pre>
 * {"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"h1"},"columns":["time","mean"],
 *   "values":[["2026-12-05T10:00:00Z",1.5]]}]},{"statement_id":1,"error":"..."}]}
 * </pre>
 *
 * A statement without rows is {@code {"statement_id":0}}. The HTTP status is 200 even when statements failed;
 * a request that does not parse is a 400 with {@link #requestError(String)} instead.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record InfluxQlResponse(List<Result> results) {
    private static final ObjectMapper JSON = JsonMapper.builder()
            // doubles by Schubfach: the shortest repr, and a fraction of Double.toString's cost (a 12,000-row answer
            // spent 2.4 ms in it); JDK 17's Double.toString is sometimes not the shortest
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    public InfluxQlResponse {
        results = List.copyOf(Objects.requireNonNull(results, "results"));
    }

    /**
     * One statement's answer.
     *
     * @param statementId the statement's 0-based position in the request
     * @param series      its series, in name then tag order; empty when it has no rows or failed
     * @param error       why it failed, null when it did not
     */
    @JsonPropertyOrder({"statement_id", "series", "error"})
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Result(@JsonProperty("statement_id") int statementId, List<Series> series, String error) {
        public Result {
            series = List.copyOf(Objects.requireNonNull(series, "series"));
        }

        /** @return the answer of a statement that failed */
        public static Result failed(int statementId, String error) {
            return new Result(statementId, List.of(), Objects.requireNonNull(error, "error"));
        }
    }

    /**
     * One series: a measurement (or a listing's name, e.g. {@code measurements}), its group-by tags, and rows whose
     * first column is {@code time} for SELECTs.
     *
     * @param name    null for listings without one ({@code SHOW RETENTION POLICIES}, {@code SHOW SERIES})
     * @param tags    sorted by key; empty without GROUP BY tags
     * @param values  rows: numbers as Long/Double, strings, booleans, null
     */
    @JsonPropertyOrder({"name", "tags", "columns", "values"})
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Series(String name, Map<String, String> tags, List<String> columns, List<List<Object>> values) {
        public Series {
            Objects.requireNonNull(tags, "tags");
            Objects.requireNonNull(columns, "columns");
            Objects.requireNonNull(values, "values");
            tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
            columns = List.copyOf(columns);
            List<List<Object>> rows = new ArrayList<>(values.size());
            values.forEach(v -> rows.add(Collections.unmodifiableList(new ArrayList<>(v)))); // values may be null
            values = Collections.unmodifiableList(rows);
        }
    }

    /** This answer as InfluxDB 1.x's JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("BUG: a query answer does not serialize", e);
        }
    }

    /**
     * The body of a request that failed as a whole: {@code {"error":"<message>"}}. For an {@link InfluxQlParseException}
     * InfluxDB's message is {@code "error parsing query: " + e.getMessage()} (HTTP 400).
     */
    public static String requestError(String message) {
        try {
            return JSON.writeValueAsString(Map.of("error", message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("BUG: an error message does not serialize", e);
        }
    }
}
