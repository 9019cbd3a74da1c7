package io.meridian.storage.node;

import io.meridian.common.model.DatabaseOptions;
import io.meridian.common.model.IntervalSpec;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.file.FsyncMode;
import io.meridian.storage.shard.ShardOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The node-wide engine settings ({@code storage.*} keys of {@link ShardOptions} plus the background upkeep of
 * {@code ShardMaintenance}). A shard's {@link ShardOptions} are these settings plus its database's intervals.
 *
 * @param segmentDuration     {@code storage.segment-duration}
 * @param memtableBytes       {@code storage.memtable.size} (per shard)
 * @param memtableMaxAge      {@code storage.memtable.max-age}: an older memtable is flushed by the upkeep
 * @param walFsync            {@code storage.wal.fsync}
 * @param walSegmentBytes     {@code storage.wal.segment-size}
 * @param futureTolerance     {@code storage.write.future-tolerance}
 * @param seriesPerMetric     {@code storage.limits.series-per-metric}
 * @param tagsPerSeries       {@code storage.limits.tags-per-series}
 * @param fieldsPerMetric     {@code storage.limits.fields-per-metric}
 * @param blockCacheBytes     {@code storage.block-cache.size}: decoded blocks of all shards of the node together
 *                            (its default, 0, resolved: an eighth of the heap)
 * @param compactionMinParts  {@code storage.compaction.min-parts}
 * @param maintenanceInterval {@code storage.maintenance.interval}: how often the upkeep runs
 * @param memtableNodeBytes   {@code storage.memtable.node-limit}: memtable bytes of all shards of the node together
 *                            (its default, 0, resolved: a quarter of the heap)
 * @param stagedTransactionExpiry {@code storage.transactions.staged-expiry}
 * @param diskMinFreePercent  {@code storage.disk.min-free-percent}: the data directory's free-space watermark as a
 *                            share of its file system
 * @param diskMinFreeFloor    {@code storage.disk.min-free-floor}: the watermark's floor in bytes
 */
public record EngineSettings(
        Duration segmentDuration,
        long memtableBytes,
        Duration memtableMaxAge,
        FsyncMode walFsync,
        long walSegmentBytes,
        Duration futureTolerance,
        int seriesPerMetric,
        int tagsPerSeries,
        int fieldsPerMetric,
        long blockCacheBytes,
        int compactionMinParts,
        Duration maintenanceInterval,
        long memtableNodeBytes,
        Duration stagedTransactionExpiry,
        int diskMinFreePercent,
        long diskMinFreeFloor) {
    public EngineSettings {
        Objects.requireNonNull(segmentDuration, "segmentDuration");
        Objects.requireNonNull(memtableMaxAge, "memtableMaxAge");
        Objects.requireNonNull(walFsync, "walFsync");
        Objects.requireNonNull(futureTolerance, "futureTolerance");
        Objects.requireNonNull(maintenanceInterval, "maintenanceInterval");
        Objects.requireNonNull(stagedTransactionExpiry, "stagedTransactionExpiry");
        if (blockCacheBytes <= 0) {
            throw new IllegalArgumentException("blockCacheBytes must be positive: " + blockCacheBytes);
        }
        if (memtableNodeBytes <= 0) {
            throw new IllegalArgumentException("memtableNodeBytes must be positive: " + memtableNodeBytes);
        }
    }

    /** {@code storage.memtable.node-limit: 0}: a quarter of this process's heap. */
    public static long defaultMemtableNodeBytes() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    /** {@code storage.block-cache.size: 0}: an eighth of this process's heap. */
    public static long defaultBlockCacheBytes() {
        return Runtime.getRuntime().maxMemory() / 8;
    }

    /** The defaults documented on {@link ShardOptions}, a 10 min memtable age and a 10 s upkeep interval. */
    public static EngineSettings defaults() {
        ShardOptions d =
                ShardOptions.defaults(new DatabaseOptions("defaults", 1, List.of(IntervalSpec.parse("10s", "1d"))));
        return new EngineSettings(
                d.segmentDuration(),
                d.memtableBytes(),
                Duration.ofMinutes(10),
                d.walFsync(),
                d.walSegmentBytes(),
                d.futureTolerance(),
                d.maxSeriesPerMetric(),
                d.maxTagsPerSeries(),
                d.maxFieldsPerMetric(),
                defaultBlockCacheBytes(),
                d.compactionMinParts(),
                Duration.ofSeconds(10),
                defaultMemtableNodeBytes(),
                d.stagedTransactionExpiry(),
                1,
                100L << 20);
    }

    /**
     * The options of a shard of {@code database} on this node.
     *
     * @throws io.meridian.common.error.InvalidInputException when the database's intervals do not divide
     *                                                        {@code storage.segment-duration}
     */
    public ShardOptions shardOptions(DatabaseOptions database) {
        return new ShardOptions(
                database,
                segmentDuration,
                memtableBytes,
                walFsync,
                walSegmentBytes,
                futureTolerance,
                seriesPerMetric,
                tagsPerSeries,
                fieldsPerMetric,
                blockCacheBytes,
                compactionMinParts,
                stagedTransactionExpiry,
                Clock.systemUTC(),
                FileIo.NIO);
    }
}
