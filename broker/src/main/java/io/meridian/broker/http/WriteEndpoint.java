package io.meridian.broker.http;

import io.meridian.broker.write.BatchSink;
import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.model.DatabaseConfig;
import java.util.Objects;

/**
 * {@code POST /api/v1/write?db=DB&precision=...} and its InfluxDB 1.x alias {@code /write}: validates the
 * whole body, cuts it per shard and returns once every batch is acknowledged by the {@link BatchSink}: the shard
 * leaders (direct mode) or Kafka (kafka mode). Bad input (unknown database, bad precision, any bad line) is refused
 * before anything is sent.
 */
final class WriteEndpoint {
    private final MetaCache meta;
    private final BatchSink writer;
    private final BrokerMetrics metrics;
    private final ThreadLocal<LineBatcher> batchers = ThreadLocal.withInitial(LineBatcher::new);

    WriteEndpoint(MetaCache meta, BatchSink writer, BrokerMetrics metrics) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    void register(HttpRoutes routes) {
        routes.add("POST", "/api/v1/write", "write", this::handle);
        routes.add("POST", "/write", "write.influxdb", this::handle);
    }

    private ApiResponse handle(ApiRequest req) {
        String db = req.param("db");
        try {
            metrics.pointsWritten(write(db, req.param("precision"), req.body(), req.receivedMs()));
            return ApiResponse.noContent();
        } catch (RuntimeException e) {
            metrics.writeError(e instanceof MeridianException m ? m.code() : ErrorCode.BUG);
            return HttpRouter.failure(e, "cannot write [db=" + db + ", path=" + req.path() + "]");
        }
    }

    /** @return the points written */
    long write(String db, String precision, byte[] body, long receivedMs) {
        if (db == null || db.isEmpty()) {
            throw new InvalidInputException("missing database [parameter=db]: write to /api/v1/write?db=NAME");
        }
        DatabaseConfig config = meta.snapshot().databases().get(db);
        if (config == null) {
            throw InvalidInputException.notFound("database", db);
        }
        Precision p = Precision.parse(precision);
        ShardBatches batches = batchers.get().batch(db, config.shards(), body, 0, body.length, p, receivedMs);
        writer.write(batches);
        return batches.points();
    }
}
