package io.meridian.storage.memtable;

import io.meridian.common.model.AggState;
import java.util.Arrays;

/**
 * Raw points of one (series, field) in arrival order: parallel arrays of timestamps (ms) and values.
 * Tracks whether arrivals were in time order so that readers can binary-search instead of scanning. Partial
 * aggregates written for the same (series, field) sit next to the points in a {@link PartialBuffer}.
 * Owned by a {@link MemTable}; mutated only under the shard's write lock.
 */
public final class PointBuffer {
    static final int INITIAL_CAPACITY = 8;
    /** Heap bytes per point slot: one long and one double. */
    static final int BYTES_PER_POINT = 16;

    /**
     * The capacity to grow to from {@code size}: one and a half times (Java's own lists' rule), not twice. The series of
     * a steady load fill their buffers in step, so the buffers of a memtable grow all at once: doubling made its bytes
     * jump by its whole size within one write (and briefly held old and new arrays together, three times the points),
     * past the node's memtable bound.
     */
    static int grownCapacity(int size) {
        return size + (size >> 1) + INITIAL_CAPACITY;
    }

    private long[] ts = new long[INITIAL_CAPACITY];
    private double[] values = new double[INITIAL_CAPACITY];
    private int size;
    private boolean sorted = true;
    /** The newest point (ties: the largest value, as LAST merges them), whatever the arrival order. */
    private long maxTs = Long.MIN_VALUE;

    private double valueAtMax = Double.NaN;
    /** Partial aggregates of this (series, field); null until the first arrives. */
    private PartialBuffer partials;

    /** Appends a partial aggregate of the base slot starting at {@code slotStart}; returns heap bytes grown. */
    int appendPartial(long slotStart, AggState cell) {
        int grown = 0;
        if (partials == null) {
            partials = new PartialBuffer();
            grown = (int) partials.capacityBytes() + 32;
        }
        return grown + partials.add(slotStart, cell);
    }

    /** The partial aggregates of this (series, field), or null when none arrived; do not modify. */
    public PartialBuffer partials() {
        return partials;
    }

    /** Appends a point; returns the number of heap bytes the buffer grew by. */
    int append(long t, double v) {
        int grown = 0;
        if (size == ts.length) {
            int cap = grownCapacity(size);
            grown = (cap - size) * BYTES_PER_POINT;
            ts = Arrays.copyOf(ts, cap);
            values = Arrays.copyOf(values, cap);
        }
        if (size > 0 && t < ts[size - 1]) {
            sorted = false;
        }
        ts[size] = t;
        values[size] = v;
        size++;
        if (t > maxTs || (t == maxTs && v > valueAtMax)) {
            maxTs = t;
            valueAtMax = v;
        }
        return grown;
    }

    /** Makes room for {@code more} points with one copy; returns the number of heap bytes grown. */
    int reserve(int more) {
        if (size + more <= ts.length) {
            return 0;
        }
        int cap = Math.max(grownCapacity(size), size + more);
        int grown = (cap - ts.length) * BYTES_PER_POINT;
        ts = Arrays.copyOf(ts, cap);
        values = Arrays.copyOf(values, cap);
        return grown;
    }

    public int size() {
        return size;
    }

    /** The newest point's timestamp; MIN_VALUE when empty. */
    public long maxTimestamp() {
        return maxTs;
    }

    /** The newest point's value (of those at {@link #maxTimestamp}, the largest). */
    public double valueAtMax() {
        return valueAtMax;
    }

    public boolean isSorted() {
        return sorted;
    }

    public long timestamp(int i) {
        return ts[i];
    }

    public double value(int i) {
        return values[i];
    }

    /** Heap bytes held by the arrays. */
    long capacityBytes() {
        return (long) ts.length * BYTES_PER_POINT;
    }

    /**
     * Copies the points in time order into the given arrays (which must hold {@link #size()} elements),
     * without mutating this buffer: concurrent readers may be scanning it.
     */
    public void sortedCopy(long[] outTs, double[] outValues) {
        System.arraycopy(ts, 0, outTs, 0, size);
        System.arraycopy(values, 0, outValues, 0, size);
        if (!sorted) {
            PointSort.sort(outTs, outValues, size);
        }
    }

    /** First index whose timestamp is >= t (only meaningful when sorted). */
    public int lowerBound(long t) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
