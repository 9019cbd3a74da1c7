package io.meridian.broker.write;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.meta.model.DatabaseConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks every batch of a request against {@link BatchRules} before any of them goes to the wrapped sink, so a
 * request that storage (or the ingest job) would refuse in part is refused whole with 400 and nothing is written,
 * in direct and Kafka mode alike. The window is the database's base retention and
 * {@link BatchRules#DEFAULT_FUTURE_TOLERANCE} (the broker cannot read the nodes' {@code storage.write.future-tolerance});
 * there is no tag limit here, for the same reason: the shard checks {@code storage.limits.tags-per-series}. A
 * request whose builder already checked it ({@link ShardBatches#checked()}: remote write, and line protocol with the
 * database's window) passes straight through.
 *
 * <p>Thread-safe when the wrapped sink is.
 */
public final class CheckedBatchSink implements BatchSink {
    private final BatchSink sink;
    private final Function<String, DatabaseConfig> databases;
    private final Clock clock;

    /**
     * @param sink      where checked requests go (closed with this one)
     * @param databases a database's current configuration by name, null when it does not exist
     */
    public CheckedBatchSink(BatchSink sink, Function<String, DatabaseConfig> databases, Clock clock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.databases = Objects.requireNonNull(databases, "databases");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @throws BatchRules.Violation naming the shard, the series and the broken rule; nothing was sent then
     */
    @Override
    public void write(ShardBatches request) {
        DatabaseConfig db = databases.apply(request.database());
        if (db == null) {
            throw InvalidInputException.notFound("database", request.database());
        }
        if (request.checked()) {
            sink.write(request); // its builder checked every series with the same rules and window
            return;
        }
        Duration retention = db.intervals().get(0).retention();
        BatchRules.Limits limits =
                BatchRules.Limits.window(clock.millis(), retention, BatchRules.DEFAULT_FUTURE_TOLERANCE);
        request.batches().forEach((shard, batch) -> check(request.database(), shard, batch, limits));
        sink.write(request);
    }

    private static void check(String db, int shard, PointBatch batch, BatchRules.Limits limits) {
        try {
            BatchRules.check(batch, limits);
        } catch (BatchRules.Violation e) {
            throw new InvalidInputException(
                    e.code(), e.getMessage() + " [database=" + db + ", shard=" + shard + "]", e);
        }
    }

    @Override
    public Optional<String> notReadyReason() {
        return sink.notReadyReason();
    }

    @Override
    public void close() {
        sink.close();
    }
}
