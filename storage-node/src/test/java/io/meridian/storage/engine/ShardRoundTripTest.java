package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.DAY;
import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.index.TagPredicateReference;
import io.meridian.storage.query.LeafAggregator;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential tests: whatever the arrival order, flush points and compactions, a query answers exactly
 * what a reference fold over the raw points answers.
 */
class ShardRoundTripTest {
    @TempDir
    Path dir;

    record Point(SeriesKey key, String field, long ts, double value) {}

    static List<Point> randomPoints(Random r, int n) {
        List<Point> out = new ArrayList<>();
        String[] fields = {"usage", "idle"};
        for (int i = 0; i < n; i++) {
            SeriesKey key = SeriesKey.of("cpu", "host", "h" + r.nextInt(5), "dc", "dc" + r.nextInt(2));
            // two days: crosses a segment boundary; several points per slot; quarter values keep sums exact
            long ts = T0 - DAY / 2 + (long) r.nextInt((int) (DAY / 1000 * 3 / 2)) * 1000 / 4 * 4;
            out.add(new Point(key, fields[r.nextInt(2)], ts, r.nextInt(400) / 4.0));
        }
        return out;
    }

    static Map<List<String>, AggState[]> reference(List<Point> points, LeafQuery q, long slotMs) {
        Map<List<String>, AggState[]> out = new HashMap<>();
        for (Point p : points) {
            long slotStart = Math.floorDiv(p.ts(), slotMs) * slotMs;
            int f = q.fields().indexOf(p.field());
            if (f < 0
                    || slotStart < q.startMs()
                    || slotStart >= q.endMs()
                    || !TagPredicateReference.matches(q.predicate(), p.key())) {
                continue;
            }
            List<String> group = new ArrayList<>();
            for (String g : q.groupBy()) {
                group.add(p.key().tags().getOrDefault(g, ""));
            }
            AggState[] cells = out.computeIfAbsent(
                    group, g -> new AggState[q.bucketCount() * q.fields().size()]);
            int i = q.bucketOf(slotStart) * q.fields().size() + f;
            if (cells[i] == null) {
                cells[i] = AggState.empty();
            }
            cells[i].add(p.ts(), p.value());
        }
        return out;
    }

    static void write(Shard shard, List<Point> points) {
        WriteBatch.Builder b = WriteBatch.builder();
        for (Point p : points) {
            b.point(p.key(), p.ts(), p.field(), p.value());
        }
        shard.write(b.build());
    }

    /**
     * {@code r} over the whole window of {@code q}: a shard answers the part of the range its data can be in, so
     * cells are compared by bucket time, not by index.
     */
    static PartialTable onQueryWindow(PartialTable r, LeafQuery q) {
        return PartialTable.of(q.groupBy(), q.fields(), q.startMs(), q.bucketMs(), q.bucketCount(), new HashMap<>())
                .merge(r);
    }

    static void assertSame(LeafQuery q, PartialTable result, Map<List<String>, AggState[]> expected) {
        PartialTable actual = onQueryWindow(result, q);
        assertThat(actual.startMs()).isEqualTo(q.startMs());
        assertThat(actual.buckets()).isEqualTo(q.bucketCount());
        assertThat(actual.cells().keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((g, cells) -> {
            AggState[] got = actual.cells().get(g);
            for (int i = 0; i < cells.length; i++) {
                if (cells[i] == null && got[i] == null) {
                    continue; // most cells of a whole-retention window
                }
                AggState want = cells[i] == null ? AggState.empty() : cells[i];
                AggState have = got[i] == null ? AggState.empty() : got[i];
                assertThat(have).as("group %s cell %d", g, i).isEqualTo(want);
            }
        });
    }

    List<LeafQuery> queries() {
        return List.of(
                new LeafQuery(
                        "cpu",
                        TagPredicate.all(),
                        T0 - DAY,
                        T0 + DAY,
                        3_600_000,
                        List.of("host"),
                        List.of("usage", "idle")),
                new LeafQuery("cpu", TagPredicate.eq("host", "h1"), T0, T0 + DAY, 60_000, List.of(), List.of("usage")),
                new LeafQuery(
                        "cpu",
                        new TagPredicate.Not(TagPredicate.eq("dc", "dc0")),
                        T0 - DAY,
                        T0 + DAY,
                        0,
                        List.of("dc", "host"),
                        List.of("idle", "usage")),
                // unaligned bucket and range: falls back to the base interval
                new LeafQuery(
                        "cpu", TagPredicate.all(), T0 + 5_000, T0 + 7_205_000, 70_000, List.of("dc"), List.of("usage")),
                // no time range: the whole base retention, one bucket per slot, narrowed to the data by the shard
                new LeafQuery(
                        "cpu",
                        TagPredicate.all(),
                        TestShards.NOW - 30 * DAY,
                        TestShards.NOW + 10_000,
                        10_000,
                        List.of("host"),
                        List.of("usage")),
                new LeafQuery(
                        "cpu",
                        TagPredicate.all(),
                        TestShards.NOW - 365 * DAY,
                        TestShards.NOW + 3_600_000,
                        3_600_000,
                        List.of(),
                        List.of("usage", "idle")));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomArrivalOrderFlushesAndCompactionsGiveTheReferenceAnswer(long seed) {
        Random r = new Random(seed);
        List<Point> points = randomPoints(r, 3000);
        List<Point> shuffled = new ArrayList<>(points);
        Collections.shuffle(shuffled, r);
        try (Shard shard = Shard.open(dir, TestShards.options())) {
            int i = 0;
            while (i < shuffled.size()) {
                int n = 1 + r.nextInt(400);
                write(shard, shuffled.subList(i, Math.min(shuffled.size(), i + n)));
                i += n;
                if (r.nextInt(3) == 0) {
                    shard.flush();
                }
            }
            for (LeafQuery q : queries()) {
                long slot =
                        LeafAggregator.chooseInterval(q, TestShards.database().intervals());
                assertSame(q, shard.query(q), reference(points, q, slot));
            }
            shard.compact(2);
            assertThat(shard.stats().parts()).isLessThanOrEqualTo(2 * 3);
            for (LeafQuery q : queries()) {
                long slot =
                        LeafAggregator.chooseInterval(q, TestShards.database().intervals());
                assertSame(q, shard.query(q), reference(points, q, slot));
            }
        }
        try (Shard reopened = Shard.open(dir, TestShards.options())) {
            for (LeafQuery q : queries()) {
                long slot =
                        LeafAggregator.chooseInterval(q, TestShards.database().intervals());
                assertSame(q, reopened.query(q), reference(points, q, slot));
            }
        }
    }

    /**
     * A block cache smaller than every scan: each scan reads around it, decoding its blocks into one reused
     * instance, and must still give the reference answer (twice, so that nothing a scan left behind is reused).
     */
    @Test
    void scansLargerThanTheBlockCacheReadAroundItAndGiveTheReferenceAnswer() {
        Random r = new Random(11);
        List<Point> points = randomPoints(r, 3000);
        try (Shard shard = Shard.open(dir, TestShards.options().withBlockCacheBytes(1024))) {
            for (int i = 0; i < points.size(); i += 700) {
                write(shard, points.subList(i, Math.min(points.size(), i + 700)));
                shard.flush();
            }
            for (int round = 0; round < 2; round++) {
                for (LeafQuery q : queries()) {
                    long slot = LeafAggregator.chooseInterval(
                            q, TestShards.database().intervals());
                    assertSame(q, shard.query(q), reference(points, q, slot));
                }
            }
        }
    }

    @Test
    void sortedAndShuffledArrivalGiveIdenticalResults() {
        Random r = new Random(42);
        List<Point> points = randomPoints(r, 2000);
        List<Point> sorted = new ArrayList<>(points);
        sorted.sort((a, b) -> Long.compare(a.ts(), b.ts()));
        List<Point> shuffled = new ArrayList<>(points);
        Collections.shuffle(shuffled, r);
        try (Shard a = Shard.open(dir.resolve("a"), TestShards.options());
                Shard b = Shard.open(dir.resolve("b"), TestShards.options())) {
            write(a, sorted);
            a.flush();
            write(b, shuffled.subList(0, 1000));
            b.flush();
            write(b, shuffled.subList(1000, 2000));
            for (LeafQuery q : queries()) {
                PartialTable ra = onQueryWindow(a.query(q), q);
                PartialTable rb = onQueryWindow(b.query(q), q);
                assertThat(rb.cells().keySet()).isEqualTo(ra.cells().keySet());
                ra.cells()
                        .forEach((g, cells) ->
                                assertThat(rb.cells().get(g)).as("group %s", g).isEqualTo(cells));
            }
        }
    }

    @Test
    void groupingByOneTagPutsSeriesWithoutItInTheEmptyGroupAndIgnoresOtherMetrics() {
        try (Shard shard = Shard.open(dir, TestShards.options())) {
            shard.write(WriteBatch.builder()
                    .point(SeriesKey.of("cpu", "host", "b"), T0, "usage", 2)
                    .point(SeriesKey.of("cpu", "host", "a", "dc", "x"), T0, "usage", 1)
                    .point(SeriesKey.of("cpu", "host", "a", "dc", "y"), T0, "usage", 4)
                    .point(SeriesKey.of("cpu", "dc", "x"), T0, "usage", 8)
                    .point(SeriesKey.of("cpu", "rack", "r1"), T0, "usage", 16)
                    .point(SeriesKey.of("mem", "host", "c"), T0, "usage", 32)
                    .build());
            LeafQuery q =
                    new LeafQuery("cpu", TagPredicate.all(), T0, T0 + 60_000, 0, List.of("host"), List.of("usage"));
            PartialTable t = shard.query(q);
            assertThat(t.sortedGroups().stream().map(Map.Entry::getKey))
                    .containsExactly(List.of(""), List.of("a"), List.of("b"));
            assertThat(t.cell(List.of(""), 0, 0).aggregate(Aggregate.SUM)).isEqualTo(24);
            assertThat(t.cell(List.of("a"), 0, 0).aggregate(Aggregate.SUM)).isEqualTo(5);
            assertThat(t.cell(List.of("b"), 0, 0).aggregate(Aggregate.SUM)).isEqualTo(2);
        }
    }

    @Test
    void latePointLandsInAnAlreadyFlushedSegmentByFieldType() {
        SeriesKey key = SeriesKey.of("cpu", "host", "a");
        try (Shard shard = Shard.open(dir, TestShards.options())) {
            shard.write(WriteBatch.builder().point(key, T0 + 10_000, "usage", 5).build());
            shard.flush();
            shard.write(WriteBatch.builder()
                    .point(key, T0 + 12_000, "usage", 7)
                    .point(key, T0 + 11_000, "usage", 1)
                    .build());
            shard.flush();
            LeafQuery q =
                    new LeafQuery("cpu", TagPredicate.all(), T0, T0 + 60_000, 10_000, List.of(), List.of("usage"));
            AggState s = shard.query(q).cell(List.of(), 1, 0);
            assertThat(s.count()).isEqualTo(3);
            assertThat(s.aggregate(Aggregate.SUM)).isEqualTo(13);
            assertThat(s.aggregate(Aggregate.LAST)).isEqualTo(7);
            assertThat(s.aggregate(Aggregate.FIRST)).isEqualTo(5);
            assertThat(s.aggregate(Aggregate.MIN)).isEqualTo(1);
            assertThat(s.slotValue(FieldType.GAUGE)).isEqualTo(7);
        }
    }

    /**
     * MIN_TIME / MAX_TIME: over points at the base interval (one per slot) the selector times are those of the
     * earliest point holding the minimum / maximum, from the memtable, after a flush and after compaction. The query
     * is hour-aligned, so without {@code selectorTimes} the leaf would read the 1 h family, whose slots keep no such
     * times.
     */
    @Test
    void selectorTimesAreExactOverBaseSlotsThroughFlushAndCompaction() {
        Random r = new Random(7);
        List<Point> points = new ArrayList<>();
        for (int h = 0; h < 3; h++) {
            SeriesKey key = SeriesKey.of("cpu", "host", "h" + h);
            for (long ts = T0; ts < T0 + 6 * 3_600_000L; ts += 10_000) {
                points.add(new Point(key, "usage", ts, r.nextInt(20))); // few values: ties on the extremes
            }
        }
        LeafQuery q = new LeafQuery(
                "cpu",
                TagPredicate.all(),
                T0,
                T0 + 6 * 3_600_000L,
                0,
                List.of("host"),
                List.of("usage"),
                java.util.Set.of(),
                List.of(),
                false,
                true);
        assertThat(LeafAggregator.chooseInterval(q, TestShards.database().intervals()))
                .isEqualTo(10_000);
        Map<List<String>, AggState[]> want = reference(points, q, 10_000);
        try (Shard shard = Shard.open(dir, TestShards.options())) {
            List<Point> shuffled = new ArrayList<>(points);
            Collections.shuffle(shuffled, r);
            write(shard, shuffled.subList(0, shuffled.size() / 2));
            shard.flush();
            write(shard, shuffled.subList(shuffled.size() / 2, shuffled.size()));
            assertSelectorTimes(shard.query(q), want);
            shard.flush();
            assertSelectorTimes(shard.query(q), want);
            shard.compact(1);
            assertSelectorTimes(shard.query(q), want);
        }
    }

    private static void assertSelectorTimes(PartialTable result, Map<List<String>, AggState[]> expected) {
        assertThat(result.cells().keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((g, cells) -> {
            AggState have = result.cells().get(g)[0];
            assertThat(have).as("group %s", g).isEqualTo(cells[0]);
            assertThat(List.of(have.minTs(), have.maxTs()))
                    .as("group %s: min %s, max %s", g, cells[0].min(), cells[0].max())
                    .containsExactly(cells[0].minTs(), cells[0].maxTs());
        });
    }

    @Test
    void coarsestAlignedFamilyIsChosen() {
        List<IntervalSpec> iv = TestShards.database().intervals();
        assertThat(LeafAggregator.chooseInterval(
                        new LeafQuery("cpu", TagPredicate.all(), T0, T0 + DAY, 3_600_000, List.of(), List.of("x")), iv))
                .isEqualTo(3_600_000);
        assertThat(LeafAggregator.chooseInterval(
                        new LeafQuery("cpu", TagPredicate.all(), T0, T0 + DAY, 300_000, List.of(), List.of("x")), iv))
                .isEqualTo(60_000);
        assertThat(LeafAggregator.chooseInterval(
                        new LeafQuery("cpu", TagPredicate.all(), T0 + 10_000, T0 + DAY, 0, List.of(), List.of("x")),
                        iv))
                .isEqualTo(10_000);
    }
}
