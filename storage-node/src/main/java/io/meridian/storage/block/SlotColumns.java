package io.meridian.storage.block;

import io.meridian.common.model.AggState;
import io.meridian.common.model.Histogram;
import java.util.Arrays;

/**
 * The per-slot partial aggregates of one field of one series within one (segment, family): the decoded
 * form of a block and the builder of a new one. Entries are kept in ascending slot order.
 *
 * <p>Components per entry: count, sum, min, max, first (+ its offset in ms from the slot start), last
 * (+ offset), and for histogram fields the bucket counts. When every entry holds exactly one point (the
 * common case of the base interval) the block is <em>single</em>: then sum = min = max = first = last
 * and only the value and the offset are stored.
 *
 * <p>Not thread-safe. A decoded instance that sits in the block cache is never mutated.
 */
public final class SlotColumns {
    private int size;
    private int[] slots;
    private long[] count;
    private double[] sum;
    private double[] min;
    private double[] max;
    private double[] first;
    private long[] firstOff;
    private double[] last;
    private long[] lastOff;
    private Histogram[] histograms;
    private final boolean histogram;

    public SlotColumns(int capacity, boolean histogram) {
        int c = Math.max(4, capacity);
        slots = new int[c];
        count = new long[c];
        sum = new double[c];
        min = new double[c];
        max = new double[c];
        first = new double[c];
        firstOff = new long[c];
        last = new double[c];
        lastOff = new long[c];
        this.histogram = histogram;
        histograms = histogram ? new Histogram[c] : null;
    }

    public int size() { return size; }

    public boolean isHistogram() { return histogram; }

    public int slot(int i) { return slots[i]; }

    public long count(int i) { return count[i]; }

    public double sum(int i) { return sum[i]; }

    public double min(int i) { return min[i]; }

    public double max(int i) { return max[i]; }

    public double first(int i) { return first[i]; }

    public long firstOffset(int i) { return firstOff[i]; }

    public double last(int i) { return last[i]; }

    public long lastOffset(int i) { return lastOff[i]; }

    public Histogram histogram(int i) { return histogram ? histograms[i] : null; }

    /** True when every entry holds exactly one point. */
    public boolean isSingle() {
        for (int i = 0; i < size; i++) {
            if (count[i] != 1) {
                return false;
            }
        }
        return true;
    }

    private void grow() {
        int c = slots.length * 2;
        slots = Arrays.copyOf(slots, c);
        count = Arrays.copyOf(count, c);
        sum = Arrays.copyOf(sum, c);
        min = Arrays.copyOf(min, c);
        max = Arrays.copyOf(max, c);
        first = Arrays.copyOf(first, c);
        firstOff = Arrays.copyOf(firstOff, c);
        last = Arrays.copyOf(last, c);
        lastOff = Arrays.copyOf(lastOff, c);
        if (histogram) {
            histograms = Arrays.copyOf(histograms, c);
        }
    }

    /**
     * Adds one raw point. Slots must be non-decreasing across calls; within a slot any order is fine.
     */
    public void addPoint(int slot, long offsetMs, double value) {
        int i = size - 1;
        if (i < 0 || slots[i] != slot) {
            if (i >= 0 && slots[i] > slot) {
                throw new IllegalStateException("BUG: slots must be non-decreasing: got " + slot + " after " + slots[i]);
            }
            appendEntry(slot, 1, value, value, value, offsetMs, value, offsetMs, value, null);
            if (histogram) {
                Histogram h = new Histogram();
                h.record(value, 1);
                histograms[size - 1] = h;
            }
            return;
        }
        count[i]++;
        sum[i] += value;
        min[i] = Math.min(min[i], value);
        max[i] = Math.max(max[i], value);
        if (offsetMs < firstOff[i] || (offsetMs == firstOff[i] && value < first[i])) {
            firstOff[i] = offsetMs;
            first[i] = value;
        }
        if (offsetMs > lastOff[i] || (offsetMs == lastOff[i] && value > last[i])) {
            lastOff[i] = offsetMs;
            last[i] = value;
        }
        if (histogram) {
            histograms[i].record(value, 1);
        }
    }

    /** Appends a whole entry; the slot must be greater than the last one. */
    public void appendEntry(int slot, long n, double s, double mn, double mx, long fOff, double f, long lOff, double l,
                            Histogram h) {
        if (size == slots.length) {
            grow();
        }
        int i = size++;
        slots[i] = slot;
        count[i] = n;
        sum[i] = s;
        min[i] = mn;
        max[i] = mx;
        firstOff[i] = fOff;
        first[i] = f;
        lastOff[i] = lOff;
        last[i] = l;
        if (histogram) {
            histograms[i] = h;
        }
    }

    /** Appends entry {@code i} of {@code other}, merging it into the last entry when the slot is the same. */
    public void appendOrMerge(SlotColumns other, int i) {
        int slot = other.slots[i];
        int j = size - 1;
        if (j < 0 || slots[j] != slot) {
            appendEntry(slot, other.count[i], other.sum[i], other.min[i], other.max[i], other.firstOff[i], other.first[i],
                    other.lastOff[i], other.last[i], other.histogram(i) == null ? null : other.histogram(i).copy());
            return;
        }
        count[j] += other.count[i];
        sum[j] += other.sum[i];
        min[j] = Math.min(min[j], other.min[i]);
        max[j] = Math.max(max[j], other.max[i]);
        if (other.firstOff[i] < firstOff[j] || (other.firstOff[i] == firstOff[j] && other.first[i] < first[j])) {
            firstOff[j] = other.firstOff[i];
            first[j] = other.first[i];
        }
        if (other.lastOff[i] > lastOff[j] || (other.lastOff[i] == lastOff[j] && other.last[i] > last[j])) {
            lastOff[j] = other.lastOff[i];
            last[j] = other.last[i];
        }
        if (histogram && other.histogram(i) != null) {
            if (histograms[j] == null) {
                histograms[j] = other.histogram(i).copy();
            } else {
                histograms[j].merge(other.histogram(i));
            }
        }
    }

    /** Merges entry {@code i} into {@code target}; {@code slotStartMs} turns offsets into timestamps. */
    public void mergeInto(AggState target, int i, long slotStartMs) {
        target.mergeComponents(count[i], sum[i], min[i], max[i], slotStartMs + firstOff[i], first[i],
                slotStartMs + lastOff[i], last[i]);
        if (histogram && histograms[i] != null) {
            if (target.histogram() == null) {
                target.setHistogram(histograms[i].copy());
            } else {
                target.histogram().merge(histograms[i]);
            }
        }
    }

    /** Index of the first entry whose slot is >= {@code slot}. */
    public int lowerBound(int slot) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (slots[mid] < slot) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Approximate heap footprint, for cache weighing. */
    public int estimatedBytes() {
        return 64 + slots.length * (4 + 8 * 9) + (histogram ? size * 64 : 0);
    }

    /** Merges several sorted columns into one (compaction, and queries over many parts). */
    public static SlotColumns merge(SlotColumns[] inputs, boolean histogram) {
        int total = 0;
        for (SlotColumns c : inputs) {
            total += c.size;
        }
        SlotColumns out = new SlotColumns(total, histogram);
        int[] pos = new int[inputs.length];
        while (true) {
            int best = -1;
            for (int k = 0; k < inputs.length; k++) {
                if (pos[k] < inputs[k].size && (best < 0 || inputs[k].slots[pos[k]] < inputs[best].slots[pos[best]])) {
                    best = k;
                }
            }
            if (best < 0) {
                return out;
            }
            out.appendOrMerge(inputs[best], pos[best]++);
        }
    }
}
