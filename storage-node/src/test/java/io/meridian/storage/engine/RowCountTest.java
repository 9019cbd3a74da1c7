package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.Names;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * COUNT(*) on the leaf ({@link Names#ROWS}): a row is a (series, slot) with a point in any field, counted once
 * however many fields, points, parts and memtables hold it.
 */
class RowCountTest {
    private static final long SLOT = 10_000;
    private static final long T = Math.floorDiv(NOW - 3_600_000, SLOT) * SLOT;
    private static final SeriesKey A = SeriesKey.of("cpu", "host", "a");
    private static final SeriesKey B = SeriesKey.of("cpu", "host", "b");
    private static final SeriesKey C = SeriesKey.of("cpu", "host", "c");

    @TempDir
    Path dir;

    @Test
    void aRowIsASeriesSlotWithAPointInAnyFieldCountedOnce() {
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            // a: slot 0 has x and y (two points of x), slot 1 has y only; b: slot 0 has x
            shard.write(WriteBatch.builder()
                    .point(A, T + 1, "x", 1)
                    .point(A, T + 2, "x", 2)
                    .point(A, T + 3, "y", 3)
                    .point(B, T + 4, "x", 4)
                    .build());
            shard.flush();
            // late points into slots already flushed (a slot 0 again, y) and a new slot in the memtable (a slot 1)
            shard.write(WriteBatch.builder()
                    .point(A, T + 5, "y", 5)
                    .point(A, T + SLOT + 1, "y", 6)
                    .build());
            LeafQuery perHost = new LeafQuery(
                    "cpu",
                    TagPredicate.all(),
                    T,
                    T + 2 * SLOT,
                    0,
                    List.of("host"),
                    List.of(Names.ROWS, "y"),
                    Set.of(Aggregate.COUNT));
            PartialTable r = shard.query(perHost);
            assertThat(count(r, "a", 0, 0)).as("a: slots 0 and 1").isEqualTo(2);
            assertThat(count(r, "a", 0, 1)).as("a: three points of y").isEqualTo(3);
            assertThat(count(r, "b", 0, 0)).as("b: slot 0").isEqualTo(1);
            LeafQuery perSlot = new LeafQuery(
                    "cpu",
                    TagPredicate.all(),
                    T,
                    T + 2 * SLOT,
                    SLOT,
                    List.of(),
                    List.of(Names.ROWS),
                    Set.of(Aggregate.COUNT));
            PartialTable s = shard.query(perSlot);
            assertThat(count(s, null, 0, 0)).as("slot 0: a and b").isEqualTo(2);
            assertThat(count(s, null, 1, 0)).as("slot 1: a").isEqualTo(1);
        }
    }

    /**
     * The parts' row summaries and the memtables' row bitmaps count a series' rows without reading its slots where no
     * two sources can hold the same slot; where they can (a flushed slot written again, a bucket boundary inside a
     * part's span), the slots are marked and counted once. Every way gives the same counts as marking everything.
     */
    @Test
    void summariesAndRowBitmapsCountExactlyWhereSourcesOverlapOrNot() {
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            WriteBatch.Builder first = WriteBatch.builder();
            for (int i = 0; i < 30; i++) { // a: slots 0..29, x every slot, y every other slot; b: slots 0..9
                first.point(A, T + i * SLOT, "x", i);
                if (i % 2 == 0) {
                    first.point(A, T + i * SLOT + 1, "y", i);
                }
                if (i < 10) {
                    first.point(B, T + i * SLOT, "y", i);
                    first.point(C, T + i * SLOT, "x", i).point(C, T + i * SLOT + 1, "y", i);
                }
            }
            shard.write(first.build());
            shard.flush();
            // a second part of the same segment: b's slot 5 again (overlap) and slot 40 (new)
            shard.write(WriteBatch.builder()
                    .point(B, T + 5 * SLOT + 7, "x", 1)
                    .point(B, T + 40 * SLOT, "x", 2)
                    .build());
            shard.flush();
            // the memtable: a's slot 29 again (overlap) and slots 50, 51; b's slot 60
            shard.write(WriteBatch.builder()
                    .point(A, T + 29 * SLOT + 3, "y", 1)
                    .point(A, T + 50 * SLOT, "x", 1)
                    .point(A, T + 51 * SLOT, "y", 1)
                    .point(B, T + 60 * SLOT, "y", 1)
                    // c: no overlap, so its part summary and its memtable bitmap count without marking
                    .point(C, T + 70 * SLOT, "x", 1)
                    .point(C, T + 71 * SLOT, "y", 1)
                    .point(C, T + 72 * SLOT, "x", 1)
                    .point(C, T + 72 * SLOT + 1, "y", 1)
                    .build());
            LeafQuery all = new LeafQuery(
                    "cpu",
                    TagPredicate.all(),
                    T,
                    T + 100 * SLOT,
                    0,
                    List.of("host"),
                    List.of(Names.ROWS),
                    Set.of(Aggregate.COUNT));
            PartialTable r = shard.query(all);
            assertThat(count(r, "a", 0, 0)).as("a: 30 flushed + 50, 51").isEqualTo(32);
            assertThat(count(r, "b", 0, 0)).as("b: 0..9, 40, 60").isEqualTo(12);
            assertThat(count(r, "c", 0, 0)).as("c: 0..9, 70..72").isEqualTo(13);
            LeafQuery tens = new LeafQuery(
                    "cpu",
                    TagPredicate.all(),
                    T,
                    T + 100 * SLOT,
                    10 * SLOT,
                    List.of(),
                    List.of(Names.ROWS),
                    Set.of(Aggregate.COUNT));
            PartialTable t = shard.query(tens);
            long[] expected = {30, 10, 10, 0, 1, 2, 1, 3};
            for (int b = 0; b < expected.length; b++) {
                assertThat(count(t, null, b, 0))
                        .as("rows in slots " + b * 10 + ".." + (b * 10 + 9))
                        .isEqualTo(expected[b]);
            }
            LeafQuery cut = new LeafQuery(
                    "cpu",
                    TagPredicate.all(),
                    T + 5 * SLOT,
                    T + 25 * SLOT,
                    0,
                    List.of("host"),
                    List.of(Names.ROWS),
                    Set.of(Aggregate.COUNT));
            PartialTable c = shard.query(cut);
            assertThat(count(c, "a", 0, 0)).as("a: slots 5..24").isEqualTo(20);
            assertThat(count(c, "b", 0, 0)).as("b: slots 5..9").isEqualTo(5);
            assertThat(count(c, "c", 0, 0)).as("c: slots 5..9").isEqualTo(5);
        }
    }

    /**
     * {@code SELECT DISTINCT host} asks only which groups have a row ({@link LeafQuery#rowsExistOnly}): a series is
     * settled by its first source with a row in range, and the groups are exactly those with a positive exact count,
     * whether the rows are in the first part, the second or only the memtable.
     */
    @Test
    void existenceModeFindsExactlyTheGroupsThatHaveARowInRange() {
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            WriteBatch.Builder first = WriteBatch.builder();
            for (int i = 0; i < 10; i++) { // first part: a slots 0..9, c slots 0..9
                first.point(A, T + i * SLOT, "x", i).point(C, T + i * SLOT + 1, "y", i);
            }
            shard.write(first.build());
            shard.flush();
            shard.write(WriteBatch.builder().point(B, T + 40 * SLOT, "x", 1).build()); // second part: b slot 40
            shard.flush();
            shard.write(WriteBatch.builder() // memtable: a slots 50, 51; b slot 60; c slot 9 again
                    .point(A, T + 50 * SLOT, "x", 1)
                    .point(A, T + 51 * SLOT, "y", 1)
                    .point(B, T + 60 * SLOT, "y", 1)
                    .point(C, T + 9 * SLOT + 5, "x", 1)
                    .build());
            long[][] ranges = {{0, 100}, {5, 25}, {35, 45}, {45, 65}, {52, 60}, {10, 40}, {61, 100}};
            for (long[] range : ranges) {
                PartialTable exact = shard.query(distinctHosts(range, false));
                PartialTable exists = shard.query(distinctHosts(range, true));
                String slots = "slots " + range[0] + ".." + (range[1] - 1);
                assertThat(exists.cells().keySet())
                        .as(slots)
                        .isEqualTo(exact.cells().keySet());
                for (List<String> group : exact.cells().keySet()) {
                    assertThat(count(exists, group.get(0), 0, 0))
                            .as(slots + ", " + group)
                            .isPositive();
                    assertThat(count(exact, group.get(0), 0, 0))
                            .as(slots + ", " + group)
                            .isPositive();
                }
            }
            assertThat(shard.query(distinctHosts(new long[] {45, 65}, true))
                            .cells()
                            .keySet())
                    .as("a in the memtable, b in the memtable only")
                    .containsExactlyInAnyOrder(List.of("a"), List.of("b"));
            assertThat(shard.query(distinctHosts(new long[] {35, 45}, true))
                            .cells()
                            .keySet())
                    .as("b in the second part only")
                    .containsExactly(List.of("b"));
            assertThat(shard.query(distinctHosts(new long[] {0, 100}, true))
                            .cells()
                            .keySet())
                    .hasSize(3);
        }
    }

    private static LeafQuery distinctHosts(long[] slots, boolean rowsExistOnly) {
        return new LeafQuery(
                "cpu",
                TagPredicate.all(),
                T + slots[0] * SLOT,
                T + slots[1] * SLOT,
                0,
                List.of("host"),
                List.of(Names.ROWS),
                Set.of(Aggregate.COUNT),
                List.of(),
                rowsExistOnly);
    }

    /**
     * A series in three parts of one segment whose spans overlap their neighbours' (flushes of concurrent writers)
     * counts by inclusion-exclusion of neighbours; one whose third part reaches back into the first counts by the
     * union of the bitmaps. Both count each slot once.
     */
    @Test
    void partsOverlappingTheirNeighboursOrFurtherBackCountEachSlotOnce() {
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            int[][] chain = {{0, 10}, {8, 20}, {18, 30}};
            int[][] back = {{0, 10}, {8, 20}, {5, 6}};
            for (int p = 0; p < 3; p++) {
                WriteBatch.Builder b = WriteBatch.builder();
                for (int k = chain[p][0]; k <= chain[p][1]; k++) {
                    b.point(A, T + k * SLOT, "x", k);
                }
                for (int k = back[p][0]; k <= back[p][1]; k++) {
                    b.point(B, T + k * SLOT + 1, p == 2 ? "y" : "x", k);
                }
                shard.write(b.build());
                shard.flush();
            }
            PartialTable r = shard.query(new LeafQuery(
                    "cpu",
                    TagPredicate.all(),
                    T,
                    T + 100 * SLOT,
                    0,
                    List.of("host"),
                    List.of(Names.ROWS),
                    Set.of(Aggregate.COUNT)));
            assertThat(count(r, "a", 0, 0)).as("a: slots 0..30").isEqualTo(31);
            assertThat(count(r, "b", 0, 0)).as("b: slots 0..20").isEqualTo(21);
        }
    }

    private static long count(PartialTable r, String host, int bucket, int field) {
        int first = r.bucketMs() == 0 ? 0 : (int) ((r.startMs() - T) / r.bucketMs()); // the leaf's narrowed window
        AggState s = r.cell(host == null ? List.of() : List.of(host), bucket - first, field);
        return s == null ? 0 : s.count();
    }
}
