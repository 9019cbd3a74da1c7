package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.DAY;
import static io.meridian.storage.engine.TestShards.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.DatabaseOptions;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafAggregator;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaf query over the whole retention (what a statement without a time range sends) is narrowed to the span
 * the shard's data can be in: it answers exactly the points, on the query's bucket grid, in a window of a few
 * buckets; only data that truly spans more than the bucket bound fails it.
 */
class LeafSpanTest {
    private static final long SECOND = 1_000;
    private static final long HOUR = 3_600_000;
    private static final long RETENTION = 3650 * DAY;
    /** [now - retention, now + one slot): the scan form of a query without a time range. */
    private static final long FROM = NOW - RETENTION;

    private static final long TO = NOW + 10 * SECOND;
    private static final SeriesKey A = SeriesKey.of("cpu", "host", "a");
    private static final SeriesKey B = SeriesKey.of("cpu", "host", "b");

    @TempDir
    Path dir;

    /** 10-year retention in every family, so that the whole-retention range is writable and readable. */
    static ShardOptions options() {
        DatabaseOptions db = new DatabaseOptions(
                "db", 1, List.of(IntervalSpec.parse("10s", "3650d"), IntervalSpec.parse("1h", "3650d")));
        return ShardOptions.defaults(db).withClock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    }

    record Point(SeriesKey key, long ts, double value) {}

    /** Flushed points a day ago, and memtable points in the last hour (two in one slot, one per host). */
    static final List<Point> FLUSHED = List.of(
            new Point(A, NOW - DAY + 3 * SECOND, 1),
            new Point(A, NOW - DAY + 47 * SECOND, 2),
            new Point(B, NOW - DAY + 50 * SECOND, 4),
            new Point(B, NOW - DAY + HOUR + 5 * SECOND, 8));

    static final List<Point> UNFLUSHED = List.of(
            new Point(A, NOW - HOUR + 12 * SECOND, 16),
            new Point(A, NOW - HOUR + 18 * SECOND, 32),
            new Point(B, NOW - 1, 64));

    static void write(Shard shard, List<Point> points) {
        WriteBatch.Builder b = WriteBatch.builder();
        points.forEach(p -> b.point(p.key(), p.ts(), "usage", p.value()));
        shard.write(b.build());
    }

    Shard shardWithData() {
        Shard shard = Shard.open(dir, options());
        write(shard, FLUSHED);
        shard.flush();
        write(shard, UNFLUSHED);
        return shard;
    }

    /** Per group: slot start -> (count, sum) of the points, folded by {@code bucketMs} from {@code startMs}. */
    static Map<String, Map<Long, List<Double>>> expected(long startMs, long bucketMs) {
        Map<String, Map<Long, List<Double>>> out = new TreeMap<>();
        List<Point> all = new ArrayList<>(FLUSHED);
        all.addAll(UNFLUSHED);
        for (Point p : all) {
            long bucket = startMs + Math.floorDiv(p.ts() - startMs, bucketMs) * bucketMs;
            List<Double> cs = out.computeIfAbsent(p.key().tags().get("host"), h -> new TreeMap<>())
                    .computeIfAbsent(bucket, k -> new ArrayList<>(List.of(0.0, 0.0)));
            cs.set(0, cs.get(0) + 1);
            cs.set(1, cs.get(1) + p.value());
        }
        return out;
    }

    /** The result's non-empty cells of field 0 by absolute bucket start, as {@link #expected} shapes them. */
    static Map<String, Map<Long, List<Double>>> actual(PartialTable r) {
        Map<String, Map<Long, List<Double>>> out = new TreeMap<>();
        r.cells().forEach((group, states) -> {
            for (int b = 0; b < r.buckets(); b++) {
                AggState s = r.cell(group, b, 0);
                if (s != null && !s.isEmpty()) {
                    out.computeIfAbsent(group.get(0), h -> new TreeMap<>())
                            .put(r.bucketStart(b), List.of((double) s.count(), s.sum()));
                }
            }
        });
        return out;
    }

    static LeafQuery wholeRetention(long bucketMs) {
        return new LeafQuery("cpu", TagPredicate.all(), FROM, TO, bucketMs, List.of("host"), List.of("usage"));
    }

    @Test
    void aWholeRetentionScanAnswersExactlyThePointsInTheDataWindow() {
        assertThat((TO - FROM) / (10 * SECOND))
                .as("the request alone is over the bound")
                .isGreaterThan(LeafQuery.MAX_BUCKETS);
        try (Shard shard = shardWithData()) {
            PartialTable r = shard.query(wholeRetention(10 * SECOND));
            assertThat(actual(r)).isEqualTo(expected(FROM, 10 * SECOND));
            assertThat(Math.floorMod(r.startMs() - FROM, 10 * SECOND))
                    .as("on the request's grid")
                    .isZero();
            assertThat(r.startMs()).as("from the flushed segment's start").isEqualTo(NOW - DAY);
            assertThat(r.bucketStart(r.buckets()))
                    .as("to the end of the newest point's slot")
                    .isEqualTo(NOW);
            assertThat(r.buckets()).isEqualTo((int) (DAY / (10 * SECOND)));
        }
    }

    @Test
    void aCoarserBucketReadsItsFamilyOverTheSameNarrowedWindow() {
        try (Shard shard = shardWithData()) {
            LeafQuery hourly =
                    new LeafQuery("cpu", TagPredicate.all(), FROM, NOW + HOUR, HOUR, List.of("host"), List.of("usage"));
            assertThat(LeafAggregator.chooseInterval(
                            hourly, options().database().intervals()))
                    .isEqualTo(HOUR);
            PartialTable r = shard.query(hourly);
            assertThat(actual(r)).isEqualTo(expected(FROM, HOUR));
            assertThat(r.startMs()).isEqualTo(NOW - DAY);
            assertThat(r.buckets()).isEqualTo(24);
        }
    }

    @Test
    void withoutBucketsTheOneBucketIsTheRequestedRange() {
        try (Shard shard = shardWithData()) {
            PartialTable r =
                    shard.query(new LeafQuery("cpu", TagPredicate.all(), FROM, TO, 0, List.of(), List.of("usage")));
            assertThat(r.startMs()).isEqualTo(FROM);
            assertThat(r.buckets()).isEqualTo(1);
            AggState s = r.cell(List.of(), 0, 0);
            assertThat(s.count()).isEqualTo(FLUSHED.size() + UNFLUSHED.size());
            assertThat(s.sum()).isEqualTo(127);
        }
    }

    @Test
    void anEmptyShardOrARangeWithoutDataAnswersNoBucket() {
        try (Shard shard = Shard.open(dir, options())) {
            PartialTable empty = shard.query(wholeRetention(10 * SECOND));
            assertThat(empty.buckets()).isZero();
            assertThat(empty.startMs()).isEqualTo(FROM);
            assertThat(empty.cells()).isEmpty();
            write(shard, FLUSHED);
            PartialTable before = shard.query(new LeafQuery(
                    "cpu", TagPredicate.all(), FROM, NOW - 30 * DAY, 10 * SECOND, List.of(), List.of("usage")));
            assertThat(before.buckets()).isZero();
            assertThat(before.cells()).isEmpty();
            PartialTable total = shard.query(
                    new LeafQuery("cpu", TagPredicate.all(), FROM, NOW - 30 * DAY, 0, List.of(), List.of("usage")));
            assertThat(total.buckets()).isEqualTo(1);
            assertThat(total.cells()).isEmpty();
        }
    }

    @Test
    void dataThatTrulySpansMoreThanTheBoundStillFails() {
        try (Shard shard = Shard.open(dir, options())) {
            write(shard, List.of(new Point(A, FROM + DAY, 1), new Point(A, NOW - 1, 2)));
            assertThatThrownBy(() -> shard.query(wholeRetention(10 * SECOND)))
                    .isInstanceOfSatisfying(
                            InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                    .hasMessageContaining("too many buckets [metric=cpu")
                    .hasMessageContaining("> " + LeafQuery.MAX_BUCKETS)
                    .hasMessageContaining("bound the time range");
            shard.flush();
            assertThatThrownBy(() -> shard.query(wholeRetention(10 * SECOND))).hasMessageContaining("too many buckets");
            PartialTable hourly = shard.query(wholeRetention(HOUR));
            assertThat(hourly.cells().get(List.of("a")))
                    .filteredOn(s -> s != null)
                    .hasSize(2);
            PartialTable otherMetric = shard.query(
                    new LeafQuery("disk", TagPredicate.all(), FROM, TO, 10 * SECOND, List.of(), List.of("usage")));
            assertThat(otherMetric.buckets())
                    .as("no series of the metric: no bucket to count")
                    .isZero();
        }
    }

    /**
     * The shard's span covers every metric: a metric with data years back made another's scan too wide. Then the
     * leaf narrows to the span of the queried series alone (their rows in the parts and memtables), in parts and in
     * the memtable.
     */
    @Test
    void anotherMetricsOldDataDoesNotWidenAScan() {
        try (Shard shard = Shard.open(dir, options())) {
            SeriesKey oldDisk = SeriesKey.of("disk", "host", "a");
            WriteBatch.Builder b = WriteBatch.builder().point(oldDisk, FROM + DAY, "used", 1);
            FLUSHED.forEach(p -> b.point(p.key(), p.ts(), "usage", p.value()));
            shard.write(b.build());
            for (int round = 0; round < 2; round++) { // in the memtable, then in parts
                PartialTable r = shard.query(wholeRetention(10 * SECOND));
                assertThat(r.cells().get(List.of("a")))
                        .filteredOn(st -> st != null)
                        .hasSize(2);
                assertThat(r.startMs())
                        .as("round " + round + ": the window starts at cpu's data, not disk's")
                        .isGreaterThan(NOW - 2 * DAY);
                shard.flush();
            }
            PartialTable disk = shard.query(
                    new LeafQuery("disk", TagPredicate.all(), FROM, TO, 10 * SECOND, List.of(), List.of("used")));
            assertThat(disk.buckets())
                    .as("the old metric's scan: its one slot, not cpu's recent data")
                    .isEqualTo(1);
            assertThat(disk.startMs()).isEqualTo(Math.floorDiv(FROM + DAY, 10 * SECOND) * 10 * SECOND);
        }
    }

    @Test
    void theNarrowedWindowTravelsInTheHeader() {
        try (Shard shard = shardWithData()) {
            PartialTable r = shard.query(wholeRetention(10 * SECOND));
            List<LeafResultChunk> chunks = new ArrayList<>();
            PartialTableCodec.chunks(r, 2).forEachRemaining(chunks::add);
            assertThat(chunks.get(0).getHeader().getStartMs())
                    .isEqualTo(r.startMs())
                    .isGreaterThan(FROM);
            assertThat(chunks.get(0).getHeader().getBuckets()).isEqualTo(r.buckets());
            PartialTable decoded = PartialTableCodec.decode(chunks);
            assertThat(decoded.startMs()).isEqualTo(r.startMs());
            assertThat(decoded.buckets()).isEqualTo(r.buckets());
            assertThat(actual(decoded)).isEqualTo(expected(FROM, 10 * SECOND));

            PartialTable none = PartialTableCodec.decode(
                    List.of(PartialTableCodec.chunks(wholeRetention(10 * SECOND).emptyResult(), 2)
                            .next()));
            assertThat(none.buckets()).isZero();
            assertThat(none.startMs()).isEqualTo(FROM);
        }
    }
}
