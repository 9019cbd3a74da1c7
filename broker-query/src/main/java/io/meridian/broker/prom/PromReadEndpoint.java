package io.meridian.broker.prom;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.broker.http.ApiRequest;
import io.meridian.broker.http.ApiResponse;
import io.meridian.broker.http.HttpRoutes;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.rpc.prometheus.Label;
import io.meridian.common.rpc.prometheus.Query;
import io.meridian.common.rpc.prometheus.QueryResult;
import io.meridian.common.rpc.prometheus.ReadRequest;
import io.meridian.common.rpc.prometheus.ReadResponse;
import io.meridian.common.rpc.prometheus.Sample;
import io.meridian.common.rpc.prometheus.TimeSeries;
import io.meridian.sql.Catalog;
import io.meridian.sql.SqlAnswer;
import io.meridian.sql.SqlEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Prometheus remote read: {@code POST /prometheus/api/v1/read?db=DB} (and {@code /api/v1/prom/read}). Each query's
 * matchers are planned by {@link PromSelector} into SQL over the same engine as {@code /api/v1/sql} (tag matchers
 * pushed into the leaves' tag filter), and the samples come back as a snappy-compressed {@code ReadResponse}
 * ("sampled" response type; Prometheus accepts it whatever it asked for). A sample's timestamp is its slot's start:
 * Meridian keeps one value per series and slot of the database's base interval.
 *
 * <p>Threading: stateless; called from the HTTP workers.
 */
public final class PromReadEndpoint {
    static final String CONTENT_TYPE = "application/x-protobuf";

    private final Catalog catalog;
    private final SqlEngine engine;
    private final String defaultDatabase;

    public PromReadEndpoint(Catalog catalog, SqlEngine engine, String defaultDatabase) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.defaultDatabase = Objects.requireNonNull(defaultDatabase, "defaultDatabase");
    }

    public void register(HttpRoutes routes) {
        routes.add("POST", "/prometheus/api/v1/read", "prom.read", this::read);
        routes.add("POST", "/api/v1/prom/read", "prom.read", this::read);
    }

    private ApiResponse read(ApiRequest req) {
        String db = PromDatabase.of(req, defaultDatabase);
        Catalog.Database database =
                catalog.database(db).orElseThrow(() -> InvalidInputException.notFound("database", db));
        ReadRequest request;
        try {
            request = ReadRequest.parseFrom(SnappyBodies.decode(req.body(), "remote read"));
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidInputException("invalid remote-read body [db=" + db + "]: not a prometheus.ReadRequest"
                    + " protobuf: " + e.getMessage());
        }
        ReadResponse.Builder response = ReadResponse.newBuilder();
        for (int i = 0; i < request.getQueriesCount(); i++) {
            response.addResults(query(db, database.baseIntervalMs(), request.getQueries(i), i));
        }
        return ApiResponse.binary(200, SnappyBodies.encode(response.build().toByteArray()), CONTENT_TYPE)
                .withHeader("Content-Encoding", "snappy");
    }

    private QueryResult query(String db, long slotMs, Query q, int index) {
        if (q.getEndTimestampMs() < q.getStartTimestampMs()) {
            throw new InvalidInputException("invalid remote-read query [query=" + index + ", start="
                    + q.getStartTimestampMs() + ", end=" + q.getEndTimestampMs() + "]: end before start");
        }
        QueryResult.Builder result = QueryResult.newBuilder();
        List<PromSelector.Target> targets = PromSelector.plan(
                catalog, db, q.getMatchersList(), q.getStartTimestampMs(), q.getEndTimestampMs(), slotMs);
        for (PromSelector.Target t : targets) {
            SqlAnswer answer = engine.execute(db, t.sql());
            series(t, answer).forEach(result::addTimeseries);
        }
        return result.build();
    }

    /** Rows {@code ts, tag..., value} grouped into series, labels sorted by name, samples by time. */
    private static List<TimeSeries> series(PromSelector.Target t, SqlAnswer answer) {
        Map<List<Object>, TimeSeries.Builder> bySeries = new LinkedHashMap<>();
        int tags = t.tagKeys().size();
        for (List<Object> row : answer.rows()) {
            List<Object> key = row.subList(1, 1 + tags);
            TimeSeries.Builder s = bySeries.computeIfAbsent(key, k -> newSeries(t, k));
            long ts = Instant.parse((String) row.get(0)).toEpochMilli();
            s.addSamples(Sample.newBuilder().setTimestamp(ts).setValue(((Number) row.get(1 + tags)).doubleValue()));
        }
        List<TimeSeries> out = new ArrayList<>(bySeries.size());
        for (TimeSeries.Builder s : bySeries.values()) {
            List<Sample> samples = new ArrayList<>(s.getSamplesList());
            samples.sort(Comparator.comparingLong(Sample::getTimestamp));
            out.add(s.clearSamples().addAllSamples(samples).build());
        }
        return out;
    }

    private static TimeSeries.Builder newSeries(PromSelector.Target t, List<Object> tagValues) {
        List<Label> labels = new ArrayList<>();
        labels.add(Label.newBuilder().setName("__name__").setValue(t.name()).build());
        for (int i = 0; i < tagValues.size(); i++) {
            Object v = tagValues.get(i);
            if (v != null && !v.toString().isEmpty()) {
                labels.add(Label.newBuilder()
                        .setName(t.tagKeys().get(i))
                        .setValue(v.toString())
                        .build());
            }
        }
        labels.sort(Comparator.comparing(Label::getName));
        return TimeSeries.newBuilder().addAllLabels(labels);
    }
}
