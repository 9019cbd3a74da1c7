package io.meridian.storage.memtable;

import io.meridian.common.model.AggState;
import java.util.Arrays;

/**
 * Raw points of one (series, field) in arrival order: timestamps (ms) and values in parallel chunks.
 * Tracks whether arrivals were in time order so that readers can binary-search instead of scanning. Partial
 * aggregates written for the same (series, field) sit next to the points in a {@link PartialBuffer}.
 *
 * <p>Growing never copies: the points live in chunks of {@value #FIRST_CHUNK}, 16, 32, ... up to
 * {@value #MAX_CHUNK} points, then of {@value #MAX_CHUNK} each, and a full buffer takes one more chunk. A buffer
 * that grew by copying its arrays one and a half times at a time allocated three times its points' bytes on the way
 * (the memtable's largest allocation under a steady load, and the young collections' work of copying what was still
 * live); chunks allocate the points' bytes once. The room a buffer holds beyond its points is always less than one
 * chunk of {@value #MAX_CHUNK} points.
 *
 * <p>Owned by a {@link MemTable}; mutated only under the shard's write lock.
 */
public final class PointBuffer {
    /** Points of the first chunk; chunk {@code k} below the cap holds {@code FIRST_CHUNK << k}. */
    static final int FIRST_CHUNK = 8;
    /** Points of every chunk from the cap on. */
    static final int MAX_CHUNK = 256;
    /** Heap bytes per point slot: one long and one double. */
    static final int BYTES_PER_POINT = 16;

    private static final int FIRST_SHIFT = Integer.numberOfTrailingZeros(FIRST_CHUNK);
    private static final int MAX_SHIFT = Integer.numberOfTrailingZeros(MAX_CHUNK);
    /** The first chunk of {@link #MAX_CHUNK} points. */
    private static final int CAPPED_CHUNK = MAX_SHIFT - FIRST_SHIFT;
    /** The index of that chunk's first point. */
    private static final int CAPPED_START = FIRST_CHUNK * ((1 << CAPPED_CHUNK) - 1);

    private long[][] ts = {new long[FIRST_CHUNK]};
    private double[][] values = {new double[FIRST_CHUNK]};
    /** Chunks allocated ({@code ts[0, chunks)}), and the points they hold room for. */
    private int chunks = 1;

    private int capacity = FIRST_CHUNK;
    private int size;
    /**
     * The chunk the next point goes to, the index of its first point, its arrays, and the last point's timestamp:
     * derivable from the fields above, kept so that an append does no chunk arithmetic.
     */
    private int writeChunk;

    private int writeStart;
    private long[] writeTs = ts[0];
    private double[] writeValues = values[0];
    private long lastTs;
    private boolean sorted = true;
    /** The newest point (ties: the largest value, as LAST merges them), whatever the arrival order. */
    private long maxTs = Long.MIN_VALUE;

    private double valueAtMax = Double.NaN;
    /** Partial aggregates of this (series, field); null until the first arrives. */
    private PartialBuffer partials;

    /** The chunk point {@code i} is in. */
    static int chunkOf(int i) {
        return i < CAPPED_START
                ? 31 - Integer.numberOfLeadingZeros((i >>> FIRST_SHIFT) + 1)
                : CAPPED_CHUNK + ((i - CAPPED_START) >>> MAX_SHIFT);
    }

    /** The index of the first point of chunk {@code k}. */
    static int chunkStart(int k) {
        return k < CAPPED_CHUNK ? FIRST_CHUNK * ((1 << k) - 1) : CAPPED_START + ((k - CAPPED_CHUNK) << MAX_SHIFT);
    }

    /** Points chunk {@code k} holds. */
    static int chunkSize(int k) {
        return k < CAPPED_CHUNK ? FIRST_CHUNK << k : MAX_CHUNK;
    }

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
        int grown = size == capacity ? addChunk() : 0;
        int o = size - writeStart;
        if (o == writeTs.length) { // the next chunk, already allocated
            writeStart = size;
            writeTs = ts[++writeChunk];
            writeValues = values[writeChunk];
            o = 0;
        }
        if (size > 0 && t < lastTs) {
            sorted = false;
        }
        writeTs[o] = t;
        writeValues[o] = v;
        lastTs = t;
        size++;
        if (t > maxTs || (t == maxTs && v > valueAtMax)) {
            maxTs = t;
            valueAtMax = v;
        }
        return grown;
    }

    /** Makes room for {@code more} points; returns the number of heap bytes grown. Nothing is copied. */
    int reserve(int more) {
        int grown = 0;
        while (capacity - size < more) {
            grown += addChunk();
        }
        return grown;
    }

    /** Allocates the next chunk; returns its heap bytes. */
    private int addChunk() {
        if (chunks == ts.length) {
            ts = Arrays.copyOf(ts, chunks * 2);
            values = Arrays.copyOf(values, chunks * 2);
        }
        int n = chunkSize(chunks);
        ts[chunks] = new long[n];
        values[chunks] = new double[n];
        chunks++;
        capacity += n;
        return n * BYTES_PER_POINT;
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
        int k = chunkOf(i);
        return ts[k][i - chunkStart(k)];
    }

    public double value(int i) {
        int k = chunkOf(i);
        return values[k][i - chunkStart(k)];
    }

    /** Heap bytes held by the chunks. */
    long capacityBytes() {
        return (long) capacity * BYTES_PER_POINT;
    }

    /**
     * Copies the points in time order into the given arrays (which must hold {@link #size()} elements),
     * without mutating this buffer: concurrent readers may be scanning it.
     */
    public void sortedCopy(long[] outTs, double[] outValues) {
        for (int k = 0, at = 0; at < size; k++) {
            int n = Math.min(chunkSize(k), size - at);
            System.arraycopy(ts[k], 0, outTs, at, n);
            System.arraycopy(values[k], 0, outValues, at, n);
            at += n;
        }
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
            if (timestamp(mid) < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
