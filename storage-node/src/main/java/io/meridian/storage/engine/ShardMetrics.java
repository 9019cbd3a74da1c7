package io.meridian.storage.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shard's meters, named {@code meridian_storage_*} (Prometheus naming once exported): points written,
 * flushes, compactions, query latency, and gauges of series, parts, bytes and memtable size. Labels are
 * the database and shard only (bounded).
 */
public final class ShardMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter points;
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

    public ShardMetrics(MeterRegistry registry, String database, int shard) {
        this.registry = registry;
        this.tags = Tags.of("db", database, "shard", Integer.toString(shard));
        points = Counter.builder("meridian.storage.points.written").description("points accepted by the shard")
                .tags(tags).register(registry);
        flushedPoints = Counter.builder("meridian.storage.points.flushed").description("points written to parts")
                .tags(tags).register(registry);
        duplicates = Counter.builder("meridian.storage.batches.duplicate")
                .description("batches acknowledged without applying them again (writer sequence already applied)")
                .tags(tags).register(registry);
        busy = Counter.builder("meridian.storage.writes.busy")
                .description("writes refused with a retriable busy error (memtable over its bound)")
                .tags(tags).register(registry);
        flushFailures = Counter.builder("meridian.storage.flush.failures")
                .description("flushes that could not write their parts (retried; nothing changed)").tags(tags)
                .register(registry);
        stops = Counter.builder("meridian.storage.shard.stops")
                .description("times the shard stopped after a failed WAL, MANIFEST, dictionary or schema write")
                .tags(tags).register(registry);
        stagedExpired = Counter.builder("meridian.storage.transactions.expired")
                .description("staged transactions aborted because their writer never committed them in time")
                .tags(tags).register(registry);
        flushes = Timer.builder("meridian.storage.flush").description("memtable flushes").tags(tags).register(registry);
        compactions = Timer.builder("meridian.storage.compaction").description("part merges").tags(tags).register(registry);
        queries = Timer.builder("meridian.storage.leaf.query").description("leaf query latency").tags(tags)
                .register(registry);
    }

    public static ShardMetrics noop() {
        return new ShardMetrics(new SimpleMeterRegistry(), "none", 0);
    }

    void bind(Shard shard) {
        gauges.add(Gauge.builder("meridian.storage.series", shard, s -> s.stats().series())
                .description("series in the dictionary").tags(tags).register(registry));
        gauges.add(Gauge.builder("meridian.storage.parts", shard, s -> s.stats().parts())
                .description("live part files").tags(tags).register(registry));
        gauges.add(Gauge.builder("meridian.storage.disk.bytes", shard, s -> s.stats().partBytes() + s.stats().walBytes())
                .description("bytes of parts and WAL").baseUnit("bytes").tags(tags).register(registry));
        gauges.add(Gauge.builder("meridian.storage.replica.lsn", shard, Shard::lastLsn)
                .description("last replica-log sequence number held").tags(tags).register(registry));
        gauges.add(Gauge.builder("meridian.storage.memtable.bytes", shard, s -> s.stats().memtableBytes())
                .description("heap bytes of unflushed points").baseUnit("bytes").tags(tags).register(registry));
    }

    void unbind() {
        gauges.forEach(registry::remove);
        gauges.clear();
    }

    void pointsWritten(long n) { points.increment(n); }

    void flushed(long n, long nanos) {
        flushedPoints.increment(n);
        flushes.record(nanos, TimeUnit.NANOSECONDS);
    }

    void duplicate() { duplicates.increment(); }

    void busy() { busy.increment(); }

    void flushFailed() { flushFailures.increment(); }

    void failed() { stops.increment(); }

    void stagedExpired() { stagedExpired.increment(); }

    void compacted(long nanos) { compactions.record(nanos, TimeUnit.NANOSECONDS); }

    void queried(long nanos) { queries.record(nanos, TimeUnit.NANOSECONDS); }
}
