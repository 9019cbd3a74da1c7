package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.Names;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.query.LeafResult;
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

    @TempDir
    Path dir;

    @Test
    void aRowIsASeriesSlotWithAPointInAnyFieldCountedOnce() {
        try (Shard shard = Shard.open(dir, LeafSpanTest.options())) {
            // a: slot 0 has x and y (two points of x), slot 1 has y only; b: slot 0 has x
            shard.write(WriteBatch.builder().point(A, T + 1, "x", 1).point(A, T + 2, "x", 2).point(A, T + 3, "y", 3)
                    .point(B, T + 4, "x", 4).build());
            shard.flush();
            // late points into slots already flushed (a slot 0 again, y) and a new slot in the memtable (a slot 1)
            shard.write(WriteBatch.builder().point(A, T + 5, "y", 5).point(A, T + SLOT + 1, "y", 6).build());
            LeafQuery perHost = new LeafQuery("cpu", TagPredicate.all(), T, T + 2 * SLOT, 0, List.of("host"),
                    List.of(Names.ROWS, "y"), Set.of(Aggregate.COUNT));
            LeafResult r = shard.query(perHost);
            assertThat(count(r, "a", 0, 0)).as("a: slots 0 and 1").isEqualTo(2);
            assertThat(count(r, "a", 0, 1)).as("a: three points of y").isEqualTo(3);
            assertThat(count(r, "b", 0, 0)).as("b: slot 0").isEqualTo(1);
            LeafQuery perSlot = new LeafQuery("cpu", TagPredicate.all(), T, T + 2 * SLOT, SLOT, List.of(),
                    List.of(Names.ROWS), Set.of(Aggregate.COUNT));
            LeafResult s = shard.query(perSlot);
            assertThat(count(s, null, 0, 0)).as("slot 0: a and b").isEqualTo(2);
            assertThat(count(s, null, 1, 0)).as("slot 1: a").isEqualTo(1);
        }
    }

    private static long count(LeafResult r, String host, int bucket, int field) {
        AggState s = r.cell(host == null ? List.of() : List.of(host), bucket - (int) ((r.startMs() - T) / Math.max(1,
                r.bucketMs())), field);
        return s == null ? 0 : s.count();
    }
}
