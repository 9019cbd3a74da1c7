package io.meridian.storage.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.query.PartialTable;
import io.meridian.storage.index.TagPredicate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Narrowing a leaf query to a data span keeps its bucket grid; results of different windows merge by time. */
class LeafQueryWindowTest {
    private static final long YEAR = 365L * 86_400_000;

    static LeafQuery query(long start, long end, long bucketMs) {
        return new LeafQuery("cpu", TagPredicate.all(), start, end, bucketMs, List.of(), List.of("usage"));
    }

    @Test
    void aWideRangeIsAValidQueryUntilItsBucketsAreCounted() {
        LeafQuery q = query(0, 10 * YEAR, 10_000);
        assertThatThrownBy(q::bucketCount)
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("too many buckets [metric=cpu")
                .hasMessageContaining(": 31536000 > 10000000")
                .hasMessageContaining("bound the time range");
        LeafQuery narrowed = q.within(5 * YEAR, 5 * YEAR + 3_600_000).orElseThrow();
        assertThat(narrowed.bucketCount()).isEqualTo(360);
        assertThat(query(0, 10 * YEAR, 0).bucketCount()).isEqualTo(1);
    }

    @Test
    void narrowingKeepsTheBucketGridAndEveryDataSlot() {
        Random r = new Random(11);
        for (int round = 0; round < 10_000; round++) {
            long bucket = 1 + r.nextInt(100);
            long start = r.nextInt(2000) - 1000;
            long end = start + 1 + r.nextInt(3000);
            long spanStart = r.nextInt(5000) - 2000;
            long spanEnd = spanStart + 1 + r.nextInt(2000);
            LeafQuery q = query(start, end, bucket);
            Optional<LeafQuery> n = q.within(spanStart, spanEnd);
            long from = Math.max(start, spanStart);
            long to = Math.min(end, spanEnd);
            String at =
                    "query [" + start + ", " + end + ") / " + bucket + " within [" + spanStart + ", " + spanEnd + ")";
            if (from >= to) {
                assertThat(n).as(at).isEmpty();
                continue;
            }
            LeafQuery w = n.orElseThrow();
            assertThat(Math.floorMod(w.startMs() - start, bucket))
                    .as(at + ": start on the grid")
                    .isZero();
            assertThat(w.endMs() == end || Math.floorMod(w.endMs() - start, bucket) == 0)
                    .as(at + ": end on the grid")
                    .isTrue();
            assertThat(w.startMs()).as(at).isBetween(start, from);
            assertThat(w.startMs())
                    .as(at + ": at most one bucket before the data")
                    .isGreaterThan(from - bucket);
            assertThat(w.endMs()).as(at).isBetween(to, end);
            assertThat(w.endMs()).as(at + ": at most one bucket after the data").isLessThan(to + bucket);
            for (long ts = from; ts < to; ts++) {
                assertThat(q.bucketOf(ts) - w.bucketOf(ts))
                        .as(at + ": bucket of " + ts)
                        .isEqualTo((int) ((w.startMs() - start) / bucket));
            }
        }
    }

    @Test
    void withoutBucketsAnOverlappingQueryIsUnchanged() {
        LeafQuery q = query(0, 10 * YEAR, 0);
        assertThat(q.within(YEAR, YEAR + 10)).containsSame(q);
        assertThat(q.within(10 * YEAR, 11 * YEAR)).isEmpty();
        assertThat(q.within(-YEAR, 0)).isEmpty();
    }

    static PartialTable result(long start, int buckets, long bucketMs, Map<Integer, Double> points) {
        AggState[] cells = new AggState[buckets];
        points.forEach((b, v) -> {
            cells[b] = AggState.empty();
            cells[b].add(start + b * bucketMs, v);
        });
        Map<List<String>, AggState[]> m = new HashMap<>();
        m.put(List.of(), cells);
        return PartialTable.of(List.of(), List.of("usage"), start, bucketMs, buckets, m);
    }

    @Test
    void resultsOfDifferentWindowsMergeIntoTheirUnion() {
        LeafQuery q = query(0, 1_000_000, 100);
        PartialTable merged = q.emptyResult();
        assertThat(merged.buckets()).isZero();
        merged = merged.merge(result(500, 3, 100, Map.of(0, 1.0, 2, 2.0)))
                .merge(q.emptyResult())
                .merge(result(200, 2, 100, Map.of(1, 4.0)))
                .merge(result(600, 4, 100, Map.of(0, 8.0, 3, 16.0)));
        assertThat(merged.startMs()).isEqualTo(200);
        assertThat(merged.buckets()).isEqualTo(8);
        Map<Long, Double> byTime = new HashMap<>();
        for (int b = 0; b < merged.buckets(); b++) {
            AggState s = merged.cell(List.of(), b, 0);
            if (s != null) {
                byTime.put(merged.bucketStart(b), s.sum());
            }
        }
        assertThat(byTime).isEqualTo(Map.of(300L, 4.0, 500L, 1.0, 600L, 8.0, 700L, 2.0, 900L, 16.0));
        PartialTable finalMerged = merged;
        assertThatThrownBy(() -> finalMerged.merge(result(250, 1, 100, Map.of(0, 1.0))))
                .hasMessageContaining("BUG: leaf results on different bucket grids");
    }
}
