package io.meridian.common.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.assertj.core.data.Offset;

/**
 * The merge laws every field type relies on. Values are multiples of 1/4 below 2^20 so sums are exact
 * doubles and the laws hold bit for bit.
 */
class AggStateLawsTest {

    @Provide
    Arbitrary<AggState> states() {
        Arbitrary<long[]> ts = Arbitraries.longs()
                .between(0, 50)
                .array(long[].class)
                .ofMinSize(0)
                .ofMaxSize(6);
        return ts.flatMap(times -> Arbitraries.integers()
                .between(-4000, 4000)
                .array(int[].class)
                .ofSize(times.length)
                .map(vals -> {
                    AggState s = AggState.empty();
                    for (int i = 0; i < times.length; i++) {
                        s.add(times[i], vals[i] / 4.0);
                    }
                    return s;
                }));
    }

    @Provide
    Arbitrary<AggState> histograms() {
        return Combinators.combine(
                        Arbitraries.longs().between(0, 50),
                        Arbitraries.integers().between(0, 100_000))
                .as((t, v) -> AggState.empty().observe(t, v / 8.0))
                .list()
                .ofMaxSize(5)
                .map(list -> {
                    AggState s = AggState.empty();
                    list.forEach(s::merge);
                    return s;
                });
    }

    @Property
    void mergeIsAssociative(@ForAll("states") AggState a, @ForAll("states") AggState b, @ForAll("states") AggState c) {
        AggState left = a.copy().merge(b).merge(c);
        AggState right = a.copy().merge(b.copy().merge(c));
        assertThat(left).isEqualTo(right);
    }

    @Property
    void mergeIsCommutative(@ForAll("states") AggState a, @ForAll("states") AggState b) {
        assertThat(a.copy().merge(b)).isEqualTo(b.copy().merge(a));
    }

    @Property
    void emptyIsIdentity(@ForAll("states") AggState a) {
        assertThat(a.copy().merge(AggState.empty())).isEqualTo(a);
        assertThat(AggState.empty().merge(a)).isEqualTo(a);
    }

    /** The selector times merge by the same laws, and equal the earliest time of the extreme value's points. */
    @Property
    void selectorTimesAreTheEarliestPointHoldingTheExtremeInAnyMergeOrder(
            @ForAll("states") AggState a, @ForAll("states") AggState b, @ForAll("states") AggState c) {
        AggState left = a.copy().merge(b).merge(c);
        AggState right = c.copy().merge(a.copy().merge(b));
        assertThat(List.of(left.minTs(), left.maxTs())).isEqualTo(List.of(right.minTs(), right.maxTs()));
        assertThat(List.of(a.copy().merge(b).minTs(), a.copy().merge(b).maxTs()))
                .isEqualTo(List.of(b.copy().merge(a).minTs(), b.copy().merge(a).maxTs()));
    }

    @Property
    void selectorTimesOfAddedPoints(@ForAll long seed) {
        Random r = new Random(seed);
        AggState s = AggState.empty();
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MAX_VALUE;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0, n = 1 + r.nextInt(20); i < n; i++) {
            long t = r.nextInt(30);
            double v = r.nextInt(5); // few values: ties on the extremes are common
            s.add(t, v);
            if (v < min || (v == min && t < minTs)) {
                min = v;
                minTs = t;
            }
            if (v > max || (v == max && t < maxTs)) {
                max = v;
                maxTs = t;
            }
        }
        assertThat(s.minTs()).isEqualTo(minTs);
        assertThat(s.maxTs()).isEqualTo(maxTs);
        assertThat(s.copy().minTs()).isEqualTo(minTs);
    }

    /** A state rebuilt from stored components takes the first point's time, or the last's when only it holds it. */
    @org.junit.jupiter.api.Test
    void storedComponentsDeriveTheSelectorTimes() {
        AggState s = AggState.ofComponents(3, 6, 1, 3, 100, 3, 120, 1); // first 3@100, last 1@120
        assertThat(s.minTs()).isEqualTo(120); // the last point holds the minimum
        assertThat(s.maxTs()).isEqualTo(100); // the first point holds the maximum
        AggState middle = AggState.ofComponents(3, 6, 1, 3, 100, 2, 120, 2); // the extremes were neither end
        assertThat(middle.minTs()).isEqualTo(100);
        assertThat(middle.maxTs()).isEqualTo(100);
        AggState exact = AggState.ofComponents(3, 6, 1, 110, 3, 105, 100, 2, 120, 2);
        middle.merge(exact);
        assertThat(middle.minTs()).isEqualTo(100); // equal minimum: the earlier time wins
        assertThat(middle.maxTs()).isEqualTo(100);
    }

    @Property
    void histogramMergeLaws(
            @ForAll("histograms") AggState a, @ForAll("histograms") AggState b, @ForAll("histograms") AggState c) {
        assertThat(a.copy().merge(b).merge(c)).isEqualTo(a.copy().merge(b.copy().merge(c)));
        assertThat(a.copy().merge(b)).isEqualTo(b.copy().merge(a));
        assertThat(a.copy().merge(AggState.empty())).isEqualTo(a);
    }

    @Property
    void arrivalOrderDoesNotMatter(@ForAll("states") AggState ignored, @ForAll long seed) {
        Random r = new Random(seed);
        List<long[]> points = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            points.add(new long[] {r.nextInt(10), r.nextInt(100)});
        }
        AggState sorted = AggState.empty();
        points.forEach(p -> sorted.add(p[0], p[1]));
        Collections.shuffle(points, r);
        AggState shuffled = AggState.empty();
        points.forEach(p -> shuffled.add(p[0], p[1]));
        assertThat(shuffled).isEqualTo(sorted);
    }

    @Property
    void aggregatesAgreeWithDefinitions(@ForAll("states") AggState a) {
        if (a.isEmpty()) {
            assertThat(a.aggregate(Aggregate.COUNT)).isZero();
            assertThat(a.aggregate(Aggregate.AVG)).isNaN();
            return;
        }
        assertThat(a.aggregate(Aggregate.AVG)).isEqualTo(a.sum() / a.count());
        assertThat(a.min()).isLessThanOrEqualTo(a.max());
        assertThat(a.first()).isBetween(a.min(), a.max());
        assertThat(a.last()).isBetween(a.min(), a.max());
        assertThat(a.firstTs()).isLessThanOrEqualTo(a.lastTs());
    }

    @Property
    void slotValueFollowsFieldType(@ForAll("states") AggState a) {
        if (a.isEmpty()) {
            return;
        }
        assertThat(a.slotValue(FieldType.GAUGE)).isEqualTo(a.last());
        assertThat(a.slotValue(FieldType.SUM)).isEqualTo(a.sum());
        assertThat(a.slotValue(FieldType.MIN)).isEqualTo(a.min());
        assertThat(a.slotValue(FieldType.MAX)).isEqualTo(a.max());
        assertThat(a.slotValue(FieldType.FIRST)).isEqualTo(a.first());
        assertThat(a.slotValue(FieldType.LAST)).isEqualTo(a.last());
    }

    /**
     * Moments (STDDEV, VARIANCE): however the values are split into states and in whatever order the states merge,
     * the merged m2 is the two-pass sum of squared deviations of all values, to rounding; values far from 0 (a
     * large offset) are where a sum of squares would lose every digit.
     */
    @Property
    void momentsMergeInAnyOrderToTheTwoPassVariance(@ForAll("momentValues") List<Double> values, @ForAll long seed) {
        Random random = new Random(seed);
        List<AggState> parts = new ArrayList<>();
        AggState current = AggState.empty();
        for (int i = 0; i < values.size(); i++) {
            current.addMoment(i, values.get(i));
            if (random.nextInt(3) == 0) {
                parts.add(current);
                current = AggState.empty();
            }
        }
        parts.add(current);
        Collections.shuffle(parts, random);
        AggState merged = AggState.empty();
        parts.forEach(merged::merge);
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double m2 = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        assertThat(merged.count()).isEqualTo(values.size());
        assertThat(merged.variance(false))
                .isCloseTo(m2 / values.size(), Offset.offset(1e-6 * Math.max(1, m2 / values.size())));
        if (values.size() == 1) {
            assertThat(merged.variance(true))
                    .as("a sample of one value has no variance")
                    .isNaN();
        }
    }

    @Provide
    Arbitrary<List<Double>> momentValues() {
        return Combinators.combine(
                        Arbitraries.integers()
                                .between(-1000, 1000)
                                .list()
                                .ofMinSize(1)
                                .ofMaxSize(40),
                        Arbitraries.of(0.0, 1e9, -3.5e6))
                .as((ints, offset) -> ints.stream().map(i -> offset + i / 8.0).toList());
    }

    @org.junit.jupiter.api.Test
    void aStateWithoutMomentsMergedWithOneWithMomentsKeepsNone() {
        AggState moments = AggState.empty().addMoment(1, 2).addMoment(2, 4);
        assertThat(moments.variance(false)).isEqualTo(1.0);
        assertThat(moments.copy().merge(AggState.of(3, 5)).variance(false)).isNaN();
        assertThat(AggState.empty().merge(moments).variance(true)).isEqualTo(2.0);
    }
}
