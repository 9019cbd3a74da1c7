package io.meridian.storage.shard;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.DatabaseOptions;
import io.meridian.common.model.IntervalSpec;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.file.FsyncMode;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Typed options of one shard. Keys as users write them in configuration are given per field.
 *
 * @param database           intervals and retention of the database
 * @param segmentDuration    {@code storage.segment-duration}: time span of one segment (default 1d); every
 *                           interval must divide it
 * @param memtableBytes      {@code storage.memtable.size}: heap bytes of raw points before a flush (default 256 MiB)
 * @param walFsync           {@code storage.wal.fsync}: always | interval | never (default always)
 * @param walSegmentBytes    {@code storage.wal.segment-size} (default 64 MiB)
 * @param futureTolerance    {@code storage.write.future-tolerance}: how far ahead of now a point may be (default 1h)
 * @param maxSeriesPerMetric {@code storage.limits.series-per-metric} (default 1,000,000)
 * @param maxTagsPerSeries   {@code storage.limits.tags-per-series} (default 32)
 * @param maxFieldsPerMetric {@code storage.limits.fields-per-metric} (default 256)
 * @param blockCacheBytes    the block cache of a shard opened without the node's shared one (tests, tools; default 256 MiB);
 *                           a storage node opens its shards on one cache of {@code storage.block-cache.size}
 * @param compactionMinParts {@code storage.compaction.min-parts}: parts of one family segment that trigger a merge (default 4)
 * @param stagedTransactionExpiry {@code storage.transactions.staged-expiry}: a transaction staged this long ago and
 *                           neither committed nor aborted is aborted by the leader (default 7d, like Kafka's
 *                           {@code transactional.id.expiration.ms}: far longer than a job's sane downtime)
 * @param clock              time source (tests inject a fixed clock)
 * @param files              the file I/O seam every write of the shard goes through ({@link FileIo#NIO}; tests
 *                           inject faults)
 */
public record ShardOptions(
        DatabaseOptions database,
        Duration segmentDuration,
        long memtableBytes,
        FsyncMode walFsync,
        long walSegmentBytes,
        Duration futureTolerance,
        int maxSeriesPerMetric,
        int maxTagsPerSeries,
        int maxFieldsPerMetric,
        long blockCacheBytes,
        int compactionMinParts,
        Duration stagedTransactionExpiry,
        Clock clock,
        FileIo files) {
    public ShardOptions {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(files, "files");
        if (stagedTransactionExpiry.isNegative() || stagedTransactionExpiry.isZero()) {
            throw new InvalidInputException("invalid option [storage.transactions.staged-expiry="
                    + stagedTransactionExpiry + "]: must be positive");
        }
        long seg = segmentDuration.toMillis();
        for (IntervalSpec i : database.intervals()) {
            if (seg % i.intervalMillis() != 0) {
                throw new InvalidInputException("invalid interval [database=" + database.name() + ", interval=" + i
                        + "]: must divide storage.segment-duration (" + segmentDuration + ")");
            }
        }
        positive("storage.memtable.size", memtableBytes);
        positive("storage.wal.segment-size", walSegmentBytes);
        positive("storage.limits.series-per-metric", maxSeriesPerMetric);
        positive("storage.limits.tags-per-series", maxTagsPerSeries);
        positive("storage.limits.fields-per-metric", maxFieldsPerMetric);
        positive("storage.block-cache.size", blockCacheBytes);
        if (compactionMinParts < 2) {
            throw new InvalidInputException(
                    "invalid option [storage.compaction.min-parts=" + compactionMinParts + "]: want at least 2");
        }
    }

    private static void positive(String key, long v) {
        if (v <= 0) {
            throw new InvalidInputException("invalid option [" + key + "=" + v + "]: must be positive");
        }
    }

    public static ShardOptions defaults(DatabaseOptions database) {
        return new ShardOptions(
                database,
                Duration.ofDays(1),
                256L << 20,
                FsyncMode.ALWAYS,
                64L << 20,
                Duration.ofHours(1),
                1_000_000,
                32,
                256,
                256L << 20,
                4,
                Duration.ofDays(7),
                Clock.systemUTC(),
                FileIo.NIO);
    }

    public ShardOptions withClock(Clock c) {
        return new ShardOptions(
                database,
                segmentDuration,
                memtableBytes,
                walFsync,
                walSegmentBytes,
                futureTolerance,
                maxSeriesPerMetric,
                maxTagsPerSeries,
                maxFieldsPerMetric,
                blockCacheBytes,
                compactionMinParts,
                stagedTransactionExpiry,
                c,
                files);
    }

    public ShardOptions withMemtableBytes(long b) {
        return new ShardOptions(
                database,
                segmentDuration,
                b,
                walFsync,
                walSegmentBytes,
                futureTolerance,
                maxSeriesPerMetric,
                maxTagsPerSeries,
                maxFieldsPerMetric,
                blockCacheBytes,
                compactionMinParts,
                stagedTransactionExpiry,
                clock,
                files);
    }

    public ShardOptions withWalSegmentBytes(long b) {
        return new ShardOptions(
                database,
                segmentDuration,
                memtableBytes,
                walFsync,
                b,
                futureTolerance,
                maxSeriesPerMetric,
                maxTagsPerSeries,
                maxFieldsPerMetric,
                blockCacheBytes,
                compactionMinParts,
                stagedTransactionExpiry,
                clock,
                files);
    }

    public ShardOptions withBlockCacheBytes(long b) {
        return new ShardOptions(
                database,
                segmentDuration,
                memtableBytes,
                walFsync,
                walSegmentBytes,
                futureTolerance,
                maxSeriesPerMetric,
                maxTagsPerSeries,
                maxFieldsPerMetric,
                b,
                compactionMinParts,
                stagedTransactionExpiry,
                clock,
                files);
    }

    public ShardOptions withFsync(FsyncMode m) {
        return new ShardOptions(
                database,
                segmentDuration,
                memtableBytes,
                m,
                walSegmentBytes,
                futureTolerance,
                maxSeriesPerMetric,
                maxTagsPerSeries,
                maxFieldsPerMetric,
                blockCacheBytes,
                compactionMinParts,
                stagedTransactionExpiry,
                clock,
                files);
    }

    public ShardOptions withLimits(int seriesPerMetric, int tagsPerSeries, int fieldsPerMetric) {
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
                clock,
                files);
    }

    public ShardOptions withStagedTransactionExpiry(Duration d) {
        return new ShardOptions(
                database,
                segmentDuration,
                memtableBytes,
                walFsync,
                walSegmentBytes,
                futureTolerance,
                maxSeriesPerMetric,
                maxTagsPerSeries,
                maxFieldsPerMetric,
                blockCacheBytes,
                compactionMinParts,
                d,
                clock,
                files);
    }

    public ShardOptions withFiles(FileIo f) {
        return new ShardOptions(
                database,
                segmentDuration,
                memtableBytes,
                walFsync,
                walSegmentBytes,
                futureTolerance,
                maxSeriesPerMetric,
                maxTagsPerSeries,
                maxFieldsPerMetric,
                blockCacheBytes,
                compactionMinParts,
                stagedTransactionExpiry,
                clock,
                f);
    }

    public long segmentMillis() {
        return segmentDuration.toMillis();
    }
}
