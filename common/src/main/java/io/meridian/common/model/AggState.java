package io.meridian.common.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * The mergeable partial aggregate of one field over one time slot (or one query bucket).
 *
 * <p>Laws (proved by property tests): {@code merge} is associative and commutative and
 * {@link #empty()} is its identity. For {@code sum} the law is exact while the partial sums are exactly
 * representable doubles (integers below 2^53, or binary fractions); beyond that floating-point rounding
 * makes it hold within one ulp per addition, as in every TSDB.
 *
 * <p>Ties: two points with the same timestamp are ordered by value, so {@code first} keeps the smaller
 * and {@code last} the larger value; two points with the smallest (largest) value are ordered by time, so
 * {@link #minTs()} ({@link #maxTs()}) is the earliest of their times, as InfluxDB's {@code min} and {@code max}
 * selectors report. This keeps the merge commutative: arrival order never matters.
 *
 * <p>Selector times: {@link #minTs()} and {@link #maxTs()} are exact for a state built by {@link #add}. A state built
 * from stored components ({@link #ofComponents(long, double, double, double, long, double, long, double)}: a slot's
 * cell keeps no other times) takes the time of its first point when the first point holds the value, else its last
 * point's when that one does, else its first point's: the value lies in that slot, at or after that time.
 *
 * <p>Moments: a state built by {@link #addMoment} also keeps {@link #m2()}, the sum of squared deviations from
 * the mean of the values it added, merged by Chan et al.'s pairwise formula (numerically stable, unlike a sum of
 * squares). It is what STDDEV and VARIANCE read; on every other state it is NaN ("not kept").
 *
 * <p>Not thread-safe: an instance is owned by one thread (a query task, a flush).
 */
public final class AggState {
    private long count;
    private double sum;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    /** Time of the point holding {@link #min} (the earliest of them). */
    private long minTs = Long.MAX_VALUE;
    /** Time of the point holding {@link #max} (the earliest of them). */
    private long maxTs = Long.MAX_VALUE;

    private long firstTs = Long.MAX_VALUE;
    private double first = Double.NaN;
    private long lastTs = Long.MIN_VALUE;
    private double last = Double.NaN;
    private Histogram histogram;
    /** Sum of squared deviations from the mean of the values added by {@link #addMoment}; NaN when not kept. */
    private double m2 = Double.NaN;

    public static AggState empty() {
        return new AggState();
    }

    public static AggState of(long ts, double value) {
        AggState s = new AggState();
        s.add(ts, value);
        return s;
    }

    /**
     * Rebuilds a state from stored components (see the block format), which keep no selector times: see the class
     * comment for the times {@link #minTs()} and {@link #maxTs()} then report.
     */
    public static AggState ofComponents(
            long count, double sum, double min, double max, long firstTs, double first, long lastTs, double last) {
        return ofComponents(
                count,
                sum,
                min,
                timeOf(min, firstTs, first, lastTs, last),
                max,
                timeOf(max, firstTs, first, lastTs, last),
                firstTs,
                first,
                lastTs,
                last);
    }

    /** Rebuilds a state from all its components (the wire's, since storage protocol revision 9). */
    public static AggState ofComponents(
            long count,
            double sum,
            double min,
            long minTs,
            double max,
            long maxTs,
            long firstTs,
            double first,
            long lastTs,
            double last) {
        AggState s = new AggState();
        s.count = count;
        s.sum = sum;
        s.min = min;
        s.minTs = minTs;
        s.max = max;
        s.maxTs = maxTs;
        s.firstTs = firstTs;
        s.first = first;
        s.lastTs = lastTs;
        s.last = last;
        return s;
    }

    /** Adds one point. */
    public AggState add(long ts, double value) {
        count++;
        sum += value;
        if (value < min || (value == min && ts < minTs)) {
            min = value;
            minTs = ts;
        }
        if (value > max || (value == max && ts < maxTs)) {
            max = value;
            maxTs = ts;
        }
        if (ts < firstTs || (ts == firstTs && value < first)) {
            firstTs = ts;
            first = value;
        }
        if (ts > lastTs || (ts == lastTs && value > last)) {
            lastTs = ts;
            last = value;
        }
        return this;
    }

    /**
     * The time stored components give a value that is their min or max (see the class comment): the first point's
     * when it holds the value, else the last point's when that one does, else the first point's.
     */
    public static long timeOf(double value, long firstTs, double first, long lastTs, double last) {
        return value != first && value == last ? lastTs : firstTs;
    }

    /**
     * Adds one value of a series' slot to a moments state (see the class comment): the scalars as {@link #add} does,
     * and the running sum of squared deviations by Welford's update.
     */
    public AggState addMoment(long ts, double value) {
        double meanBefore = count == 0 ? 0 : sum / count;
        double m2Before = count == 0 || Double.isNaN(m2) ? 0 : m2;
        add(ts, value);
        m2 = m2Before + (value - meanBefore) * (value - sum / count);
        return this;
    }

    /** Adds one observation to the histogram part (histogram fields only) as well as to the scalars. */
    public AggState observe(long ts, double value) {
        add(ts, value);
        if (histogram == null) {
            histogram = new Histogram();
        }
        histogram.record(value, 1);
        return this;
    }

    /** Merges {@code other} into this state and returns this. */
    public AggState merge(AggState other) {
        if (other.count == 0) {
            return this;
        }
        double mergedM2 = mergedM2(other);
        mergeComponents(
                other.count,
                other.sum,
                other.min,
                other.minTs,
                other.max,
                other.maxTs,
                other.firstTs,
                other.first,
                other.lastTs,
                other.last);
        m2 = mergedM2;
        if (other.histogram != null) {
            if (histogram == null) {
                histogram = new Histogram();
            }
            histogram.merge(other.histogram);
        }
        return this;
    }

    /** Chan et al.'s merge of the two states' m2 (before their scalars merge); NaN unless both keep moments. */
    private double mergedM2(AggState other) {
        if (count == 0) {
            return other.m2;
        }
        if (Double.isNaN(m2) || Double.isNaN(other.m2)) {
            return Double.NaN;
        }
        double delta = other.sum / other.count - sum / count;
        return m2 + other.m2 + delta * delta * ((double) count * other.count / (count + other.count));
    }

    /**
     * Merges a state given by its stored components (no histogram part, no selector times: they are taken as
     * {@link #ofComponents(long, double, double, double, long, double, long, double)} takes them); allocation-free
     * for hot loops.
     */
    public void mergeComponents(long n, double s, double mn, double mx, long fTs, double f, long lTs, double l) {
        if (n == 0) {
            return;
        }
        mergeComponents(n, s, mn, timeOf(mn, fTs, f, lTs, l), mx, timeOf(mx, fTs, f, lTs, l), fTs, f, lTs, l);
    }

    /** Merges a state given by all its components but the histogram; allocation-free for hot loops. */
    public void mergeComponents(
            long n, double s, double mn, long mnTs, double mx, long mxTs, long fTs, double f, long lTs, double l) {
        if (n == 0) {
            return;
        }
        if (count > 0) {
            m2 = Double.NaN; // components carry no moments: the merged state keeps none
        }
        count += n;
        sum += s;
        if (mn < min || (mn == min && mnTs < minTs)) {
            min = mn;
            minTs = mnTs;
        }
        if (mx > max || (mx == max && mxTs < maxTs)) {
            max = mx;
            maxTs = mxTs;
        }
        if (fTs < firstTs || (fTs == firstTs && f < first)) {
            firstTs = fTs;
            first = f;
        }
        if (lTs > lastTs || (lTs == lastTs && l > last)) {
            lastTs = lTs;
            last = l;
        }
    }

    public AggState copy() {
        AggState s = ofComponents(count, sum, min, minTs, max, maxTs, firstTs, first, lastTs, last);
        if (histogram != null) {
            s.histogram = histogram.copy();
        }
        s.m2 = m2;
        return s;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public long count() {
        return count;
    }

    public double sum() {
        return sum;
    }

    public double min() {
        return count == 0 ? Double.NaN : min;
    }

    public double max() {
        return count == 0 ? Double.NaN : max;
    }

    public double avg() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /** The time of the point holding {@link #min()}, the earliest of them (see the class comment). */
    public long minTs() {
        return minTs;
    }

    /** The time of the point holding {@link #max()}, the earliest of them (see the class comment). */
    public long maxTs() {
        return maxTs;
    }

    public long firstTs() {
        return firstTs;
    }

    public double first() {
        return first;
    }

    public long lastTs() {
        return lastTs;
    }

    public double last() {
        return last;
    }

    /** Sum of squared deviations from the mean, for a state built by {@link #addMoment}; else NaN. */
    public double m2() {
        return count == 0 ? Double.NaN : m2;
    }

    /** Sets {@link #m2()} (used when a moments state is rebuilt from the wire). */
    public void setM2(double m2) {
        this.m2 = m2;
    }

    /**
     * The variance of a moments state's values: {@code sample} divides by n - 1 (SQL's VAR_SAMP), else by n
     * (VAR_POP); NaN when the state keeps no moments or has too few values (one for a sample, none for a population).
     */
    public double variance(boolean sample) {
        long n = sample ? count - 1 : count;
        return n <= 0 || Double.isNaN(m2) ? Double.NaN : Math.max(0, m2) / n;
    }

    /** The histogram part, or null when no observation was recorded. */
    public Histogram histogram() {
        return histogram;
    }

    /** Sets the histogram part (used when a state is rebuilt from stored columns). */
    public void setHistogram(Histogram histogram) {
        this.histogram = histogram;
    }

    /** The value a plain read of the slot returns for a field of the given type. */
    public double slotValue(FieldType type) {
        if (count == 0) {
            return Double.NaN;
        }
        return switch (type) {
            case GAUGE, LAST, COUNTER -> last;
            case SUM -> sum;
            case MIN -> min;
            case MAX -> max;
            case FIRST -> first;
            case HISTOGRAM -> sum / count;
        };
    }

    /** Computes one aggregate of this state. */
    public double aggregate(Aggregate agg) {
        return switch (agg) {
            case SUM -> count == 0 ? Double.NaN : sum;
            case COUNT -> count;
            case MIN -> min();
            case MAX -> max();
            case AVG -> avg();
            case FIRST -> count == 0 ? Double.NaN : first;
            case LAST -> count == 0 ? Double.NaN : last;
        };
    }

    /**
     * Equal components, the ones a stored cell keeps: the selector times ({@link #minTs()}, {@link #maxTs()}) are
     * not compared, since a state rebuilt from stored components derives them (see the class comment).
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AggState s)) {
            return false;
        }
        if (count == 0 && s.count == 0) {
            return true;
        }
        return count == s.count
                && Double.compare(sum, s.sum) == 0
                && Double.compare(min, s.min) == 0
                && Double.compare(max, s.max) == 0
                && firstTs == s.firstTs
                && Double.compare(first, s.first) == 0
                && lastTs == s.lastTs
                && Double.compare(last, s.last) == 0
                && Objects.equals(histogram, s.histogram)
                && Double.compare(m2, s.m2) == 0;
    }

    @Override
    public int hashCode() {
        return count == 0 ? 0 : Arrays.hashCode(new double[] {count, sum, min, max, firstTs, first, lastTs, last});
    }

    @Override
    public String toString() {
        return count == 0
                ? "AggState{}"
                : "AggState{count=" + count + ", sum=" + sum + ", min=" + min + "@" + minTs + ", max=" + max + "@"
                        + maxTs
                        + ", first=" + first + "@" + firstTs + ", last=" + last + "@" + lastTs
                        + (histogram == null ? "" : ", histogram=" + histogram) + (Double.isNaN(m2) ? "" : ", m2=" + m2)
                        + "}";
    }
}
