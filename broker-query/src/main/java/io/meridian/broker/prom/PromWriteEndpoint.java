package io.meridian.broker.prom;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.broker.http.ApiRequest;
import io.meridian.broker.http.ApiResponse;
import io.meridian.broker.http.BrokerMetrics;
import io.meridian.broker.http.HttpRoutes;
import io.meridian.broker.write.BatchSink;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.RemoteWriteBatcher;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.model.DatabaseConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Prometheus remote write 1.0: {@code POST /api/v1/prom/write?db=DB} and {@code /prometheus/api/v1/write?db=DB}
 * (the paths VictoriaMetrics and InfluxDB 1.x use). The snappy-compressed {@code WriteRequest} is decoded and
 * checked whole ({@link RemoteWriteBatcher}), then its per-shard batches go to the same {@link BatchSink} as
 * line protocol (the shard leaders, or Kafka in Kafka mode). 204 once acknowledged; 400 names the series and
 * what is wrong and nothing of the request is written (Prometheus does not retry a 4xx); 503 is retried by
 * Prometheus. Stale markers, NaN and infinite samples, exemplars, native histograms and metadata are not stored
 * and are counted in {@code meridian_broker_write_skipped_total{what}}.
 *
 * <p>Threading: stateless; called from the HTTP workers.
 */
public final class PromWriteEndpoint {
    /** How far ahead of now a sample may be: the storage node's default {@code storage.write.future-tolerance}. */
    static final Duration FUTURE_TOLERANCE = BatchRules.DEFAULT_FUTURE_TOLERANCE;

    private final MetaCache meta;
    private final BatchSink writer;
    private final BrokerMetrics metrics;
    private final String defaultDatabase;
    private final RemoteWriteBatcher batcher;

    /** @param cachedSeries label sets kept checked and keyed ({@code broker.prometheus.series-cache}) */
    public PromWriteEndpoint(
            MetaCache meta, BatchSink writer, BrokerMetrics metrics, String defaultDatabase, int cachedSeries) {
        this.batcher = new RemoteWriteBatcher(cachedSeries);
        this.meta = Objects.requireNonNull(meta, "meta");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.defaultDatabase = Objects.requireNonNull(defaultDatabase, "defaultDatabase");
    }

    public void register(HttpRoutes routes) {
        routes.add("POST", "/api/v1/prom/write", "prom.write", this::write);
        routes.add("POST", "/prometheus/api/v1/write", "prom.write", this::write);
    }

    private ApiResponse write(ApiRequest req) {
        String db = PromDatabase.of(req, defaultDatabase);
        DatabaseConfig config = meta.snapshot().databases().get(db);
        if (config == null) {
            throw InvalidInputException.notFound("database", db);
        }
        long now = System.currentTimeMillis();
        long oldest = now - config.intervals().get(0).retention().toMillis();
        byte[] body = SnappyBodies.decode(req.body(), "remote write");
        RemoteWriteBatcher.Result result;
        try {
            result =
                    batcher.batch(db, config.shards(), body, 0, body.length, oldest, now + FUTURE_TOLERANCE.toMillis());
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidInputException("invalid remote-write body [db=" + db + "]: not a prometheus.WriteRequest"
                    + " protobuf: " + e.getMessage());
        }
        if (!result.batches().batches().isEmpty()) {
            writer.write(result.batches());
        }
        metrics.pointsWritten(result.batches().points());
        RemoteWriteBatcher.Dropped d = result.dropped();
        metrics.skipped("stale_marker", d.staleMarkers());
        metrics.skipped("nan_sample", d.nanSamples());
        metrics.skipped("infinite_sample", d.infiniteSamples());
        metrics.skipped("exemplar", d.exemplars());
        metrics.skipped("native_histogram", d.histograms());
        metrics.skipped("metadata", d.metadata());
        return ApiResponse.noContent();
    }
}
