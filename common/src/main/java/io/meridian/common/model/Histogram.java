package io.meridian.common.model;

import io.meridian.common.error.InvalidInputException;
import java.util.Arrays;

/**
 * A sparse histogram over fixed log-scale buckets: bucket {@code i >= 1} holds values in
 * {@code [2^((i - OFFSET - 1) / 4), 2^((i - OFFSET) / 4))}, i.e. four buckets per power of two (relative
 * error at most 19%, about 9% at the geometric midpoint); bucket 0 holds zero and values below the smallest
 * bound. The layout is fixed forever so that every partial histogram merges with every other by adding
 * counts. Negative observations are rejected.
 */
public final class Histogram {
    /** Buckets per power of two. */
    public static final int BUCKETS_PER_OCTAVE = 4;
    /** Index shift so that values down to 2^-60 get a positive index. */
    public static final int OFFSET = 60 * BUCKETS_PER_OCTAVE;
    /** Largest bucket index: values up to 2^68. */
    public static final int MAX_INDEX = OFFSET + 68 * BUCKETS_PER_OCTAVE;

    private int[] indexes = new int[0];
    private long[] counts = new long[0];

    public static int bucketOf(double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new InvalidInputException(
                    "invalid histogram observation [value=" + value + "]: want a finite number >= 0");
        }
        if (value == 0) {
            return 0;
        }
        double log = Math.log(value) / Math.log(2) * BUCKETS_PER_OCTAVE;
        int idx = (int) Math.floor(log) + OFFSET + 1;
        return Math.max(0, Math.min(MAX_INDEX, idx));
    }

    /** Upper bound of bucket {@code index}; for bucket 0 it is the smallest positive bound. */
    public static double upperBound(int index) {
        return Math.pow(2, (double) (index - OFFSET) / BUCKETS_PER_OCTAVE);
    }

    public void record(double value, long n) {
        addCount(bucketOf(value), n);
    }

    /** Adds {@code n} to the bucket at {@code index}. */
    public void addCount(int index, long n) {
        int pos = Arrays.binarySearch(indexes, index);
        if (pos >= 0) {
            counts[pos] += n;
            return;
        }
        int ins = -pos - 1;
        int[] ni = new int[indexes.length + 1];
        long[] nc = new long[counts.length + 1];
        System.arraycopy(indexes, 0, ni, 0, ins);
        System.arraycopy(counts, 0, nc, 0, ins);
        ni[ins] = index;
        nc[ins] = n;
        System.arraycopy(indexes, ins, ni, ins + 1, indexes.length - ins);
        System.arraycopy(counts, ins, nc, ins + 1, counts.length - ins);
        indexes = ni;
        counts = nc;
    }

    public void merge(Histogram other) {
        int[] ni = new int[indexes.length + other.indexes.length];
        long[] nc = new long[ni.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < indexes.length || j < other.indexes.length) {
            if (j >= other.indexes.length || (i < indexes.length && indexes[i] < other.indexes[j])) {
                ni[k] = indexes[i];
                nc[k++] = counts[i++];
            } else if (i >= indexes.length || other.indexes[j] < indexes[i]) {
                ni[k] = other.indexes[j];
                nc[k++] = other.counts[j++];
            } else {
                ni[k] = indexes[i];
                nc[k++] = counts[i++] + other.counts[j++];
            }
        }
        indexes = Arrays.copyOf(ni, k);
        counts = Arrays.copyOf(nc, k);
    }

    /** The number of non-empty buckets. */
    public int size() {
        return indexes.length;
    }

    public int indexAt(int i) {
        return indexes[i];
    }

    public long countAt(int i) {
        return counts[i];
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /**
     * The estimated q-quantile (0 &lt;= q &lt;= 1): the geometric midpoint of the bucket holding the rank,
     * clamped to [min, max] of the observations when those are given.
     */
    public double quantile(double q, double min, double max) {
        if (!(q >= 0 && q <= 1)) {
            throw new InvalidInputException("invalid quantile [q=" + q + "]: want 0 <= q <= 1");
        }
        long total = total();
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < indexes.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                int idx = indexes[i];
                double estimate = idx == 0 ? 0 : Math.sqrt(upperBound(idx) * upperBound(idx - 1));
                return Math.max(min, Math.min(max, estimate));
            }
        }
        return max;
    }

    public Histogram copy() {
        Histogram h = new Histogram();
        h.indexes = indexes.clone();
        h.counts = counts.clone();
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h && Arrays.equals(indexes, h.indexes) && Arrays.equals(counts, h.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(indexes) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < indexes.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(indexes[i]).append('=').append(counts[i]);
        }
        return sb.append('}').toString();
    }
}
