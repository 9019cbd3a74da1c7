package io.meridian.broker.http;

import io.meridian.broker.write.BatchSink;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.ingest.LineShapes;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.lineprotocol.StringFieldPolicy;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.model.DatabaseConfig;
import java.util.Objects;

/**
 * {@code POST /api/v1/write?db=DB&precision=...} and its InfluxDB 1.x alias {@code /write}: validates the
 * whole body, cuts it per shard and returns once every batch is acknowledged by the {@link BatchSink}: the shard
 * leaders (direct mode) or Kafka (kafka mode). Bad input (unknown database, bad precision, any bad line) is refused
 * before anything is sent. String fields are dropped by default ({@code broker.write.string-fields: skip}): the
 * answer is still 204, with {@value #SKIPPED_STRING_FIELDS} and {@value #SKIPPED_LINES} headers when anything was
 * dropped.
 */
final class WriteEndpoint {
    /** Response header: string fields the write dropped ({@code broker.write.string-fields: skip}). */
    static final String SKIPPED_STRING_FIELDS = "X-Meridian-Skipped-String-Fields";
    /** Response header: lines dropped because only string fields were left. */
    static final String SKIPPED_LINES = "X-Meridian-Skipped-Lines";

    private final MetaCache meta;
    private final BatchSink writer;
    private final BrokerMetrics metrics;
    private final ThreadLocal<LineBatcher> batchers;

    /** @param lineShapes the line shapes kept described for the next bodies ({@code broker.write.line-shapes}) */
    WriteEndpoint(
            MetaCache meta, BatchSink writer, BrokerMetrics metrics, StringFieldPolicy stringFields, int lineShapes) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(stringFields, "stringFields");
        LineShapes shapes = new LineShapes(lineShapes); // one for every request thread: a series is described once
        metrics.lineShapes(shapes);
        this.batchers = ThreadLocal.withInitial(() -> new LineBatcher(stringFields, shapes));
    }

    void register(HttpRoutes routes) {
        routes.add("POST", "/api/v1/write", "write", this::handle);
        routes.add("POST", "/write", "write.influxdb", this::handle);
    }

    private ApiResponse handle(ApiRequest req) {
        String db = req.param("db");
        try {
            ShardBatches written = write(db, req.param("precision"), req.body(), req.receivedMs());
            metrics.pointsWritten(written.points());
            ShardBatches.Skipped skipped = written.skipped();
            if (skipped.stringFields() == 0 && skipped.lines() == 0) {
                return ApiResponse.noContent();
            }
            metrics.skipped("string_field", skipped.stringFields());
            metrics.skipped("line", skipped.lines());
            return ApiResponse.noContent()
                    .withHeader(SKIPPED_STRING_FIELDS, Integer.toString(skipped.stringFields()))
                    .withHeader(SKIPPED_LINES, Integer.toString(skipped.lines()));
        } catch (RuntimeException e) {
            metrics.writeError(e instanceof MeridianException m ? m.code() : ErrorCode.BUG);
            return HttpRouter.failure(e, "cannot write [db=" + db + ", path=" + req.path() + "]");
        }
    }

    /** @return what was written */
    ShardBatches write(String db, String precision, byte[] body, long receivedMs) {
        if (db == null || db.isEmpty()) {
            throw new InvalidInputException("missing database [parameter=db]: write to /api/v1/write?db=NAME");
        }
        DatabaseConfig config = meta.snapshot().databases().get(db);
        if (config == null) {
            throw InvalidInputException.notFound("database", db);
        }
        Precision p = Precision.parse(precision);
        // checked on the way against the database's window, as CheckedBatchSink would check it, so not again there
        BatchRules.Limits window = BatchRules.Limits.window(
                receivedMs, config.intervals().get(0).retention(), BatchRules.DEFAULT_FUTURE_TOLERANCE);
        ShardBatches batches = batchers.get()
                .batch(db, config.shards(), body, 0, body.length, p, receivedMs, window.oldestMs(), window.newestMs());
        writer.write(batches);
        return batches;
    }
}
