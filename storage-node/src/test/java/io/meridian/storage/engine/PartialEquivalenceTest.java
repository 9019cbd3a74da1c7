package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.DAY;
import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.Names;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.query.SlotTransform;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Partial-carrying writes answer exactly like the raw points they fold: the same points are written raw to one
 * shard and, to another, as a random mix of raw points, cells of one point and partial aggregates of several,
 * directly and through transactions, in random order with random flushes; every query (every aggregate of gauge,
 * histogram and counter fields, COUNT(*), the counter and moments transforms, at the base interval and the rollups)
 * must give identical states in the memtable, after flushes, after compaction and after a restart (WAL replay).
 */
class PartialEquivalenceTest {
    private static final long BASE = 10_000;
    private static final String[] FIELDS = {"usage", "lat", "req"};
    private static final FieldType[] TYPES = {FieldType.GAUGE, FieldType.HISTOGRAM, FieldType.COUNTER};

    @TempDir
    Path dir;

    record Point(SeriesKey key, int field, long ts, double value) {}

    /** Points clustered in slots (several per slot), across a segment boundary; quarter values keep sums exact. */
    static List<Point> points(Random r, int n) {
        List<Point> out = new ArrayList<>();
        while (out.size() < n) {
            SeriesKey key = SeriesKey.of("cpu", "host", "h" + r.nextInt(4));
            int field = r.nextInt(FIELDS.length);
            long slot = Math.floorDiv(T0 - DAY / 2 + (long) r.nextInt((int) (DAY * 3 / 2 / BASE)) * BASE, BASE) * BASE;
            int inSlot = 1 + r.nextInt(6);
            for (int k = 0; k < inSlot; k++) {
                out.add(new Point(key, field, slot + r.nextInt((int) BASE), r.nextInt(400) / 4.0));
            }
        }
        return out;
    }

    static Shard open(Path dir) {
        Shard s = Shard.open(dir, TestShards.options());
        for (int f = 1; f < FIELDS.length; f++) {
            s.declareField("cpu", FIELDS[f], TYPES[f]);
        }
        return s;
    }

    static AggState fold(List<Point> points) {
        AggState s = AggState.empty();
        for (Point p : points) {
            if (TYPES[p.field()] == FieldType.HISTOGRAM) {
                s.observe(p.ts(), p.value());
            } else {
                s.add(p.ts(), p.value());
            }
        }
        return s;
    }

    static WriteBatch partial(SeriesKey key, int field, long slot, AggState cell) {
        return WriteBatch.ofPartials(List.of(new WriteBatch.SeriesPartials(
                key, List.of(FIELDS[field]), List.of(TYPES[field]), BASE, new long[] {slot}, new AggState[] {cell})));
    }

    static WriteBatch raw(List<Point> points) {
        WriteBatch.Builder b = WriteBatch.builder();
        for (Point p : points) {
            b.point(p.key(), p.ts(), FIELDS[p.field()], p.value());
        }
        return b.build();
    }

    static List<LeafQuery> queries() {
        List<String> all = List.of(FIELDS);
        return List.of(
                new LeafQuery("cpu", TagPredicate.all(), T0 - DAY, T0 + DAY, BASE, List.of("host"), all),
                new LeafQuery("cpu", TagPredicate.all(), T0 - DAY, T0 + DAY, 60_000, List.of(), all),
                new LeafQuery("cpu", TagPredicate.all(), T0 - DAY, T0 + DAY, 3_600_000, List.of("host"), all),
                new LeafQuery("cpu", TagPredicate.eq("host", "h1"), T0 - DAY, T0 + DAY, 0, List.of(), all),
                new LeafQuery(
                        "cpu",
                        TagPredicate.all(),
                        T0 - DAY,
                        T0 + DAY,
                        0,
                        List.of("host"),
                        List.of("usage", "req"),
                        Set.of(Aggregate.LAST)),
                new LeafQuery(
                        "cpu",
                        TagPredicate.all(),
                        T0 - DAY,
                        T0 + DAY,
                        3_600_000,
                        List.of("host"),
                        List.of(Names.ROWS, "usage"),
                        Set.of(Aggregate.COUNT)),
                new LeafQuery(
                        "cpu",
                        TagPredicate.all(),
                        T0 - DAY,
                        T0 + DAY,
                        3_600_000,
                        List.of("host"),
                        List.of("req", "usage"),
                        Set.of(),
                        List.of(SlotTransform.COUNTER_INCREASE, SlotTransform.MOMENTS)));
    }

    static void assertSameAnswers(Shard raw, Shard partial, String when) {
        for (LeafQuery q : queries()) {
            PartialTable want = ShardRoundTripTest.onQueryWindow(raw.query(q), q);
            PartialTable got = ShardRoundTripTest.onQueryWindow(partial.query(q), q);
            assertThat(got.cells().keySet())
                    .as("%s: groups of %s", when, q)
                    .isEqualTo(want.cells().keySet());
            want.cells().forEach((g, cells) -> {
                AggState[] have = got.cells().get(g);
                for (int i = 0; i < cells.length; i++) {
                    AggState w = cells[i] == null ? AggState.empty() : cells[i];
                    AggState h = have[i] == null ? AggState.empty() : have[i];
                    if (q.latestOnly()) { // the lastpoint path: its states are exact for LAST only
                        assertThat(h.lastTs())
                                .as("%s: %s group %s cell %d", when, q, g, i)
                                .isEqualTo(w.lastTs());
                        assertThat(h.last())
                                .as("%s: %s group %s cell %d", when, q, g, i)
                                .isEqualTo(w.last());
                    } else {
                        assertThat(h)
                                .as("%s: %s group %s cell %d", when, q, g, i)
                                .isEqualTo(w);
                    }
                }
            });
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void partialsAnswerLikeTheirPointsInMemoryAfterFlushesCompactionAndRestart(long seed) {
        Random r = new Random(seed);
        List<Point> points = points(r, 3000);
        // group by (series, field, slot): each group goes raw, as one cell, or as several cells
        Map<List<Object>, List<Point>> groups = new LinkedHashMap<>();
        for (Point p : points) {
            groups.computeIfAbsent(
                            List.of(p.key(), p.field(), Math.floorDiv(p.ts(), BASE) * BASE), k -> new ArrayList<>())
                    .add(p);
        }
        List<WriteBatch> writes = new ArrayList<>();
        for (var e : groups.entrySet()) {
            List<Point> g = new ArrayList<>(e.getValue());
            Collections.shuffle(g, r);
            int mode = r.nextInt(3);
            if (mode == 0) {
                writes.add(raw(g));
                continue;
            }
            int cut = mode == 1 ? g.size() : 1 + r.nextInt(g.size());
            SeriesKey key = g.get(0).key();
            int field = g.get(0).field();
            long slot = (long) e.getKey().get(2);
            writes.add(partial(key, field, slot, fold(g.subList(0, cut))));
            if (cut < g.size()) {
                writes.add(
                        r.nextBoolean()
                                ? raw(g.subList(cut, g.size()))
                                : partial(key, field, slot, fold(g.subList(cut, g.size()))));
            }
        }
        Collections.shuffle(writes, r);
        List<Point> shuffled = new ArrayList<>(points);
        Collections.shuffle(shuffled, r);
        try (Shard a = open(dir.resolve("raw"));
                Shard b = open(dir.resolve("partial"))) {
            for (int i = 0; i < shuffled.size(); i += 500) {
                a.write(raw(shuffled.subList(i, Math.min(shuffled.size(), i + 500))));
            }
            long txn = 0;
            for (int i = 0; i < writes.size(); i++) {
                if (r.nextInt(4) == 0) {
                    b.stage("job", ++txn, writes.get(i));
                    b.commit("job", txn);
                } else {
                    b.write(writes.get(i));
                }
                if (r.nextInt(writes.size() / 3) == 0) {
                    b.flush();
                }
            }
            assertSameAnswers(a, b, "memtable and flushed parts");
            a.flush();
            b.flush();
            assertSameAnswers(a, b, "after a flush");
            b.compact(2);
            assertSameAnswers(a, b, "after compaction");
        }
        try (Shard a = open(dir.resolve("raw"));
                Shard b = open(dir.resolve("partial"))) {
            assertSameAnswers(a, b, "after a restart");
        }
    }

    @Test
    void unflushedAndStagedPartialsSurviveARestartThroughTheWal() {
        SeriesKey key = SeriesKey.of("cpu", "host", "a");
        long slot = T0;
        List<Point> committed = List.of(new Point(key, 1, slot + 1, 3), new Point(key, 1, slot + 5, 9));
        List<Point> pending = List.of(new Point(key, 1, slot + 2, 4), new Point(key, 1, slot + 7, 1));
        try (Shard s = open(dir)) {
            s.write(partial(key, 1, slot, fold(committed)));
            s.stage("job", 7, partial(key, 1, slot, fold(pending)));
            s.flush(); // the staged partial must be logged again into the WAL that remains
        }
        try (Shard s = open(dir)) {
            LeafQuery q = new LeafQuery("cpu", TagPredicate.all(), slot, slot + BASE, 0, List.of(), List.of("lat"));
            assertThat(s.query(q).cell(List.of(), 0, 0)).isEqualTo(fold(committed));
            s.commit("job", 7);
            List<Point> both = new ArrayList<>(committed);
            both.addAll(pending);
            assertThat(s.query(q).cell(List.of(), 0, 0)).isEqualTo(fold(both));
            assertThat(s.query(q).cell(List.of(), 0, 0).histogram().quantile(0.5, 1, 9))
                    .isPositive();
        }
    }

    @Test
    void aPartialOfTheWrongTypeOrShapeIsRefusedAndChangesNothing() {
        SeriesKey key = SeriesKey.of("cpu", "host", "a");
        AggState two = AggState.of(T0 + 1, 1).add(T0 + 2, 3);
        try (Shard s = open(dir)) {
            // lat is declared histogram: a partial folded as a gauge is a type conflict
            WriteBatch wrongType = WriteBatch.ofPartials(List.of(new WriteBatch.SeriesPartials(
                    key, List.of("lat"), List.of(FieldType.GAUGE), BASE, new long[] {T0}, new AggState[] {two})));
            assertThatThrownBy(() -> s.write(wrongType))
                    .isInstanceOfSatisfying(
                            InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TYPE_CONFLICT))
                    .hasMessageContaining("field=lat")
                    .hasMessageContaining("folded as gauge");
            // a slot that does not start on the base interval
            assertThatThrownBy(() -> s.write(partial(key, 0, T0 + 1, two)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("slot=" + (T0 + 1))
                    .hasMessageContaining("want a multiple");
            // a cell whose times lie outside its slot
            AggState outside = AggState.of(T0 + BASE + 1, 1).add(T0 + 2, 3);
            assertThatThrownBy(() -> s.write(partial(key, 0, T0, outside)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("field=usage")
                    .hasMessageContaining("last_ts");
            // a histogram cell without buckets
            assertThatThrownBy(() -> s.write(partial(key, 1, T0, two)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("got no histogram buckets");
            // a new field gets the type it was folded as
            s.write(WriteBatch.ofPartials(List.of(new WriteBatch.SeriesPartials(
                    key, List.of("hits"), List.of(FieldType.SUM), BASE, new long[] {T0}, new AggState[] {two}))));
            assertThat(s.fields("cpu").get("hits").type()).isEqualTo(FieldType.SUM);
            assertThat(s.fields("cpu"))
                    .as("nothing of the refused writes was defined")
                    .doesNotContainKey("usage");
            assertThat(s.stats().memtablePoints()).isEqualTo(2);
        }
    }
}
