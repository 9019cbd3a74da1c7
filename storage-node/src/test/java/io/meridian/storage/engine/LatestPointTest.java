package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.DAY;
import static io.meridian.storage.engine.TestShards.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.Aggregate;
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
 * The newest-point path (LAST alone, one bucket) reads the parts newest segment first and skips, per series and
 * field, the older segments once a newer one answered: the answer is still the newest point of each field.
 */
class LatestPointTest {
    private static final SeriesKey A = SeriesKey.of("cpu", "host", "a");

    @TempDir
    Path dir;

    /** LAST alone over {@code [startMs, endMs)}: the newest-point path. */
    private static LeafQuery newest(long startMs, long endMs, List<String> groupBy, String... fields) {
        return new LeafQuery(
                "cpu", TagPredicate.all(), startMs, endMs, 0, groupBy, List.of(fields), Set.of(Aggregate.LAST));
    }

    @Test
    void eachFieldGetsItsNewestPointWhicheverSegmentOrMemtableHoldsIt() {
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            shard.write(WriteBatch.builder()
                    .point(A, NOW - 2 * DAY, "x", 1)
                    .point(A, NOW - 2 * DAY, "y", 10)
                    .point(A, NOW - DAY, "x", 2)
                    .point(A, NOW - 3_600_000, "x", 3)
                    .build());
            shard.flush();
            // a late point, older than every part, in the memtable; and z only there
            shard.write(WriteBatch.builder()
                    .point(A, NOW - 3 * DAY, "x", 0)
                    .point(A, NOW - 3 * DAY, "z", 7)
                    .build());
            LeafQuery q = newest(NOW - 3650 * DAY, NOW + 10_000, List.of(), "x", "y", "z");
            assertThat(q.latestOnly()).isTrue();
            PartialTable r = shard.query(q);
            AggState x = r.cell(List.of(), 0, 0);
            AggState y = r.cell(List.of(), 0, 1);
            AggState z = r.cell(List.of(), 0, 2);
            assertThat(x.last()).as("x: the newest segment").isEqualTo(3);
            assertThat(x.lastTs()).isEqualTo(NOW - 3_600_000);
            assertThat(y.last()).as("y: only in the oldest segment").isEqualTo(10);
            assertThat(z.last()).as("z: only in the memtable").isEqualTo(7);
            LeafQuery older = newest(NOW - 3650 * DAY, NOW - DAY / 2, List.of(), "x");
            assertThat(shard.query(older).cell(List.of(), 0, 0).last())
                    .as("a range that ends before the newest")
                    .isEqualTo(2);
        }
    }

    @Test
    void anUnsortedMemtableAnswersItsNewestPointAndTiesGoByValue() {
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            shard.write(WriteBatch.builder()
                    .point(A, NOW - 60_000, "x", 5)
                    .point(A, NOW - 1_000, "x", 4)
                    .point(A, NOW - 120_000, "x", 9)
                    .point(A, NOW - 1_000, "x", 6)
                    .point(A, NOW + 3_600_000, "w", 1)
                    .point(A, NOW - 30_000, "w", 2)
                    .build());
            LeafQuery q = newest(NOW - DAY, NOW + 10_000, List.of(), "x", "w");
            PartialTable r = shard.query(q);
            assertThat(r.cell(List.of(), 0, 0).last())
                    .as("newest, ties by the larger value")
                    .isEqualTo(6);
            assertThat(r.cell(List.of(), 0, 0).lastTs()).isEqualTo(NOW - 1_000);
            assertThat(r.cell(List.of(), 0, 1).last())
                    .as("w's newest point is after the range: the last one in it")
                    .isEqualTo(2);
            LeafQuery future = newest(NOW + DAY, NOW + 2 * DAY, List.of(), "x");
            assertThat(shard.query(future).cell(List.of(), 0, 0))
                    .as("nothing in range")
                    .isNull();
        }
    }

    @Test
    void aSegmentFlushedManyTimesAnswersFromTheNewestPartThatHoldsEachField() {
        SeriesKey b = SeriesKey.of("cpu", "host", "b");
        long day = Math.floorDiv(NOW, DAY) * DAY - DAY; // yesterday: one segment for every flush below
        long slot = day + 20 * 3_600_000L; // a 10 s slot split across two parts
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            shard.write(WriteBatch.builder()
                    .point(A, day + 3_600_000, "x", 1)
                    .point(A, day + 3_600_000, "y", 10)
                    .point(b, day + 4 * 3_600_000, "x", 100)
                    .build());
            shard.flush();
            shard.write(
                    WriteBatch.builder().point(A, day + 2 * 3_600_000, "x", 2).build());
            shard.flush();
            shard.write(WriteBatch.builder().point(A, slot + 5_000, "x", 4).build());
            shard.flush();
            shard.write(WriteBatch.builder()
                    .point(A, slot + 1_000, "x", 3)
                    .point(b, day + 3_600_000, "x", 99)
                    .build());
            shard.flush();
            LeafQuery all = newest(NOW - 3650 * DAY, NOW + 10_000, List.of("host"), "x", "y");
            assertThat(all.latestOnly()).isTrue();
            PartialTable r = shard.query(all);
            AggState ax = r.cell(List.of("a"), 0, 0);
            assertThat(ax.last())
                    .as("the slot split across two parts: the later point of it")
                    .isEqualTo(4);
            assertThat(ax.lastTs()).isEqualTo(slot + 5_000);
            assertThat(r.cell(List.of("a"), 0, 1).last())
                    .as("y: only in the oldest part, though newer parts hold the series")
                    .isEqualTo(10);
            assertThat(r.cell(List.of("b"), 0, 0).last())
                    .as("b: its newest point is in an older part than its newest write")
                    .isEqualTo(100);
            LeafQuery before = newest(NOW - 3650 * DAY, day + 3 * 3_600_000L, List.of("host"), "x");
            PartialTable earlier = shard.query(before);
            assertThat(earlier.cell(List.of("a"), 0, 0).last())
                    .as("a range that ends inside the segment: the newest point before its end")
                    .isEqualTo(2);
            assertThat(earlier.cell(List.of("b"), 0, 0).last()).isEqualTo(99);
        }
    }

    @Test
    void aMemtableAnswerSkipsOlderPartsButNotAPartWithALaterPointOfTheSameSlot() {
        SeriesKey b = SeriesKey.of("cpu", "host", "b");
        long slot = Math.floorDiv(NOW, DAY) * DAY - DAY + 3_600_000L;
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            shard.write(WriteBatch.builder()
                    .point(A, slot + 5_000, "x", 5)
                    .point(b, slot - 60_000, "x", 1)
                    .build());
            shard.flush();
            shard.write(WriteBatch.builder()
                    .point(A, slot + 1_000, "x", 4) // the same slot as the part's point, earlier in it
                    .point(b, slot + 60_000, "x", 2)
                    .build());
            PartialTable r = shard.query(newest(NOW - 3650 * DAY, NOW + 10_000, List.of("host"), "x"));
            assertThat(r.cell(List.of("a"), 0, 0).last())
                    .as("the part's point is later in the memtable's newest slot")
                    .isEqualTo(5);
            assertThat(r.cell(List.of("b"), 0, 0).last())
                    .as("the memtable's is newest")
                    .isEqualTo(2);
        }
    }
}
