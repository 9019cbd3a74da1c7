package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.query.SlotTransform;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fields read through a {@link SlotTransform}: each series' slots in time order, gathered from parts and
 * memtables (a slot may be in both, and a late slot may arrive between flushed ones).
 */
class SlotTransformTest {
    private static final long SLOT = 10_000;
    private static final long T = Math.floorDiv(NOW - 3_600_000, SLOT) * SLOT;
    private static final SeriesKey A = SeriesKey.of("jobs", "host", "a");
    private static final SeriesKey B = SeriesKey.of("jobs", "host", "b");

    @TempDir
    Path dir;

    @Test
    void aCounterBecomesIncrementsInTimeOrderAcrossPartsAndMemtablesWithAReset() {
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            shard.declareField("jobs", "done", FieldType.COUNTER);
            // slots 0 and 2 flushed; slot 1 arrives late, slot 3 after: 100, 130, 10 (a restart), 25
            shard.write(WriteBatch.builder()
                    .point(A, T + 1, "done", 100)
                    .point(A, T + 2 * SLOT + 1, "done", 10)
                    .build());
            shard.flush();
            shard.write(WriteBatch.builder()
                    .point(A, T + SLOT + 1, "done", 130)
                    .point(A, T + 3 * SLOT + 1, "done", 25)
                    .build());
            PartialTable r = shard.query(query(2 * SLOT, List.of("done"), List.of(SlotTransform.COUNTER_INCREASE)));
            assertThat(cell(r, "a", 0, 0).sum()).as("100 -> 130").isEqualTo(30);
            assertThat(cell(r, "a", 1, 0).sum())
                    .as("130 -> 10 is a restart: 10, then 10 -> 25")
                    .isEqualTo(25);
        }
    }

    @Test
    void aResetInsideOneSlotCountsTheValueAfterIt() {
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            // slot 0: 50; slot 1: 70 then 4 (restarted within the slot); slot 2: 9
            shard.write(WriteBatch.builder()
                    .point(A, T + 1, "done", 50)
                    .point(A, T + SLOT + 1, "done", 70)
                    .point(A, T + SLOT + 5, "done", 4)
                    .point(A, T + 2 * SLOT, "done", 9)
                    .build());
            PartialTable r = shard.query(query(0, List.of("done"), List.of(SlotTransform.COUNTER_INCREASE)));
            // 50 -> 70 (+20), in slot 1 70 -> 4 counts 4 (first to last dropped), 4 -> 9 (+5)
            assertThat(cell(r, "a", 0, 0).sum()).isEqualTo(29);
        }
    }

    @Test
    void momentsReadEachSlotsValueOncePerSeriesAndTheSameFieldMayAlsoBeReadAsStored() {
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            // a gauge: slot 0 has 1 then 3 (slot value 3, the last), split over a part and the memtable; slot 1 has 5
            shard.write(WriteBatch.builder()
                    .point(A, T + 1, "done", 1)
                    .point(B, T + 1, "done", 7)
                    .build());
            shard.flush();
            shard.write(WriteBatch.builder()
                    .point(A, T + 2, "done", 3)
                    .point(A, T + SLOT, "done", 5)
                    .build());
            LeafQuery q = new LeafQuery(
                    "jobs",
                    TagPredicate.all(),
                    T,
                    T + 2 * SLOT,
                    0,
                    List.of(),
                    List.of("done", "done"),
                    Set.of(),
                    List.of(SlotTransform.MOMENTS, SlotTransform.NONE));
            PartialTable r = shard.query(q);
            AggState moments = r.cell(List.of(), 0, 0);
            assertThat(moments.count()).as("slots: a0, a1, b0").isEqualTo(3);
            assertThat(moments.sum()).as("slot values 3 + 5 + 7").isEqualTo(15);
            assertThat(moments.variance(false)).as("of 3, 5, 7").isCloseTo(8.0 / 3, Offset.offset(1e-12));
            assertThat(r.cell(List.of(), 0, 1).count())
                    .as("as stored: four points")
                    .isEqualTo(4);
        }
    }

    @Test
    void eachFieldAndTransformIsReadOnce() {
        assertThatThrownBy(() -> new LeafQuery(
                        "jobs",
                        TagPredicate.all(),
                        T,
                        T + SLOT,
                        0,
                        List.of(),
                        List.of("x", "x"),
                        Set.of(),
                        List.of(SlotTransform.MOMENTS, SlotTransform.MOMENTS)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("duplicate field [metric=jobs, field=x, " + "transform=moments]");
        assertThatThrownBy(() -> new LeafQuery(
                        "jobs",
                        TagPredicate.all(),
                        T,
                        T + SLOT,
                        0,
                        List.of(),
                        List.of("x", "y"),
                        Set.of(),
                        List.of(SlotTransform.MOMENTS)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("got 1 for 2 fields");
    }

    private static LeafQuery query(long bucket, List<String> fields, List<SlotTransform> transforms) {
        return new LeafQuery(
                "jobs", TagPredicate.all(), T, T + 4 * SLOT, bucket, List.of("host"), fields, Set.of(), transforms);
    }

    private static AggState cell(PartialTable r, String host, int bucket, int field) {
        long first = r.bucketMs() == 0 ? 0 : (r.startMs() - T) / r.bucketMs();
        return r.cell(List.of(host), bucket - (int) first, field);
    }
}
