package io.meridian.storage.memtable;

import io.meridian.common.model.AggState;
import java.util.Arrays;

/**
 * Partial aggregates of one (series, field) in arrival order: per base slot, the exact merge of the points a
 * pre-aggregating writer folded ({@link AggState}). A cell for the same slot as the one before is merged into it;
 * otherwise cells are appended, so a slot may appear more than once when partials arrive out of order (readers
 * merge them, as they merge points). Cells of one point are kept as points ({@link MemTable#appendPartial}), so
 * every cell here holds two or more.
 *
 * <p>Owned by a {@link PointBuffer}; mutated only under the shard's write lock.
 */
public final class PartialBuffer {
    /** Heap bytes per cell without its histogram: the slot start, the reference and the state object. */
    static final int BYTES_PER_CELL = 8 + 8 + 112;

    private long[] slotStarts = new long[4];
    private AggState[] cells = new AggState[4];
    private int size;
    private boolean sorted = true;

    /** Appends (or merges into the previous cell of the same slot) a copy of {@code cell}; returns bytes grown. */
    int add(long slotStart, AggState cell) {
        long before = histogramBytes(size > 0 ? cells[size - 1] : null);
        if (size > 0 && slotStarts[size - 1] == slotStart) {
            cells[size - 1].merge(cell);
            return (int) (histogramBytes(cells[size - 1]) - before);
        }
        int grown = 0;
        if (size == slotStarts.length) {
            int cap = size * 2;
            grown = (cap - size) * 16;
            slotStarts = Arrays.copyOf(slotStarts, cap);
            cells = Arrays.copyOf(cells, cap);
        }
        if (size > 0 && slotStart < slotStarts[size - 1]) {
            sorted = false;
        }
        AggState own = cell.copy();
        slotStarts[size] = slotStart;
        cells[size] = own;
        size++;
        return grown + BYTES_PER_CELL - 16 + (int) histogramBytes(own);
    }

    private static long histogramBytes(AggState s) {
        return s == null || s.histogram() == null ? 0 : 48 + 12L * s.histogram().size();
    }

    public int size() {
        return size;
    }

    public long slotStart(int i) {
        return slotStarts[i];
    }

    /** The cell at {@code i}; do not modify. */
    public AggState cell(int i) {
        return cells[i];
    }

    /**
     * The cells' indexes in slot order (arrival order among equal slots), without mutating this buffer: concurrent
     * readers may be scanning it.
     */
    public int[] sortedOrder() {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (!sorted) {
            order = Arrays.stream(order)
                    .boxed()
                    .sorted((a, b) -> Long.compare(slotStarts[a], slotStarts[b]))
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
        return order;
    }

    /** Heap bytes held, histograms included. */
    long capacityBytes() {
        long b = (long) slotStarts.length * 16;
        for (int i = 0; i < size; i++) {
            b += BYTES_PER_CELL - 16 + histogramBytes(cells[i]);
        }
        return b;
    }
}
