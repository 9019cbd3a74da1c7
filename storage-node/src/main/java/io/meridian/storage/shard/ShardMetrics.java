package io.meridian.storage.shard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The shard's meters, named {@code meridian_storage_*} (Prometheus naming once exported): points written,
 * flushes, compactions, query latency, and gauges of series, parts, bytes and memtable size. Labels are
 * the database and shard only (bounded).
 */
public final class ShardMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter points;
    private final Counter cells;
    private final Timer flushes;
    private final Timer compactions;
    private final Timer queries;
    private final Counter flushedPoints;
    private final Counter duplicates;
    private final Counter busy;
    private final Counter flushFailures;
    private final Counter stops;
    private final Counter stagedExpired;
    private final List<Meter> gauges = new ArrayList<>();
    private volatile LongSupplier walBytesAppended = () -> 0;

    public ShardMetrics(MeterRegistry registry, String database, int shard) {
        this.registry = registry;
        this.tags = Tags.of("db", database, "shard", Integer.toString(shard));
        points = Counter.builder("meridian.storage.points.written")
                .description("points accepted by the shard")
                .tags(tags)
                .register(registry);
        cells = Counter.builder("meridian.storage.cells.written")
                .description("values the shard stored: one per point written raw, one per partial aggregate (which"
                        + " folds many points); points.written / cells.written is the stream down-sampling ratio")
                .tags(tags)
                .register(registry);
        flushedPoints = Counter.builder("meridian.storage.points.flushed")
                .description("points written to parts")
                .tags(tags)
                .register(registry);
        duplicates = Counter.builder("meridian.storage.batches.duplicate")
                .description("batches acknowledged without applying them again (writer sequence already applied)")
                .tags(tags)
                .register(registry);
        busy = Counter.builder("meridian.storage.writes.busy")
                .description("writes refused with a retriable busy error (memtable over its bound)")
                .tags(tags)
                .register(registry);
        flushFailures = Counter.builder("meridian.storage.flush.failures")
                .description("flushes that could not write their parts (retried; nothing changed)")
                .tags(tags)
                .register(registry);
        stops = Counter.builder("meridian.storage.shard.stops")
                .description("times the shard stopped after a failed WAL, MANIFEST, dictionary or schema write")
                .tags(tags)
                .register(registry);
        stagedExpired = Counter.builder("meridian.storage.transactions.expired")
                .description("staged transactions aborted because their writer never committed them in time")
                .tags(tags)
                .register(registry);
        flushes = Timer.builder("meridian.storage.flush")
                .description("memtable flushes")
                .tags(tags)
                .register(registry);
        compactions = Timer.builder("meridian.storage.compaction")
                .description("part merges")
                .tags(tags)
                .register(registry);
        queries = Timer.builder("meridian.storage.leaf.query")
                .description("leaf query latency")
                .tags(tags)
                .register(registry);
    }

    public static ShardMetrics noop() {
        return new ShardMetrics(new SimpleMeterRegistry(), "none", 0);
    }

    /**
     * Registers the shard's gauges, read from its current statistics and replica-log position, and the count of
     * bytes its WAL appended.
     */
    public void bind(Supplier<ShardStats> stats, LongSupplier lastLsn, LongSupplier walBytesAppended) {
        this.walBytesAppended = walBytesAppended; // a function counter holds its object weakly: this one lives on
        gauges.add(FunctionCounter.builder(
                        "meridian.storage.wal.written", this, m -> (double) m.walBytesAppended.getAsLong())
                .description("bytes appended to the WAL (records and their headers): the shard's write traffic; per"
                        + " point written, it shows what stream down-sampling saves")
                .baseUnit("bytes")
                .tags(tags)
                .register(registry));
        gauges.add(Gauge.builder("meridian.storage.series", stats, s -> s.get().series())
                .description("series in the dictionary")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        gauges.add(Gauge.builder("meridian.storage.parts", stats, s -> s.get().parts())
                .description("live part files")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        gauges.add(Gauge.builder(
                        "meridian.storage.disk.bytes",
                        stats,
                        s -> s.get().partBytes() + s.get().walBytes())
                .description("bytes of parts and WAL")
                .baseUnit("bytes")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        gauges.add(Gauge.builder("meridian.storage.replica.lsn", lastLsn, LongSupplier::getAsLong)
                .description("last replica-log sequence number held")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        gauges.add(Gauge.builder(
                        "meridian.storage.memtable.bytes", stats, s -> s.get().memtableBytes())
                .description("heap bytes of unflushed points")
                .baseUnit("bytes")
                .tags(tags)
                .strongReference(true)
                .register(registry));
    }

    public void unbind() {
        gauges.forEach(registry::remove);
        gauges.clear();
    }

    /** {@code n} points written raw: each is one stored value. */
    public void pointsWritten(long n) {
        points.increment(n);
        cells.increment(n);
    }

    /** Partial aggregates written: {@code n} points folded into {@code cellCount} stored values. */
    public void partialsWritten(long n, long cellCount) {
        points.increment(n);
        cells.increment(cellCount);
    }

    public void flushed(long n, long nanos) {
        flushedPoints.increment(n);
        flushes.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void duplicate() {
        duplicates.increment();
    }

    public void busy() {
        busy.increment();
    }

    public void flushFailed() {
        flushFailures.increment();
    }

    public void failed() {
        stops.increment();
    }

    public void stagedExpired() {
        stagedExpired.increment();
    }

    public void compacted(long nanos) {
        compactions.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void queried(long nanos) {
        queries.record(nanos, TimeUnit.NANOSECONDS);
    }
}
