package io.meridian.storage.query;

import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.query.SlotTransform;
import io.meridian.storage.memtable.PartialBuffer;
import io.meridian.storage.memtable.PointBuffer;
import io.meridian.storage.part.SlotColumns;
import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * One series' slots of one field in a leaf's window, gathered from every part and memtable that holds some (a slot
 * may be in several: an older part, a newer one, the memtable), merged per slot and put in time order, so that a
 * {@link SlotTransform} can walk them as the series' history. Reused from series to series; not thread-safe.
 */
final class SeriesSlots {
    private long[] starts = new long[64];
    private AggState[] states = new AggState[64];
    private int size;

    void clear() {
        Arrays.fill(states, 0, size, null);
        size = 0;
    }

    /** Adds the stored slots {@code [from, to)} of a part's block, whose slot 0 starts at {@code segmentStartMs}. */
    void addPart(SlotColumns c, int from, int to, long segmentStartMs, long intervalMs) {
        for (int i = from; i < to; i++) {
            long start = segmentStartMs + c.slot(i) * intervalMs;
            AggState s = AggState.empty();
            c.mergeInto(s, i, start);
            append(start, s);
        }
    }

    /** Adds a memtable buffer's points whose slots start in {@code [startMs, endMs)}. */
    void addPoints(PointBuffer b, long startMs, long endMs, long intervalMs) {
        for (int i = 0; i < b.size(); i++) {
            long ts = b.timestamp(i);
            long start = Math.floorDiv(ts, intervalMs) * intervalMs;
            if (start >= startMs && start < endMs) {
                append(start, AggState.of(ts, b.value(i)));
            }
        }
    }

    /** Adds a memtable's partial aggregates whose slots start in {@code [startMs, endMs)}. */
    void addPartials(PartialBuffer p, long startMs, long endMs, long intervalMs) {
        for (int i = 0; i < p.size(); i++) {
            long start = Math.floorDiv(p.slotStart(i), intervalMs) * intervalMs;
            if (start >= startMs && start < endMs) {
                append(start, p.cell(i).copy()); // copied: coalesce merges into the states it holds
            }
        }
    }

    /** Sorts the slots by time and merges the states of equal slots; then {@link #size()} counts distinct slots. */
    void coalesce() {
        boolean sorted = true;
        for (int i = 1; i < size && sorted; i++) {
            sorted = starts[i - 1] < starts[i];
        }
        if (sorted) {
            return;
        }
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(starts[a], starts[b])); // stable: equal slots keep their order
        long[] s2 = new long[starts.length];
        AggState[] a2 = new AggState[states.length];
        int n = 0;
        for (int k = 0; k < size; k++) {
            int i = order[k];
            if (n > 0 && s2[n - 1] == starts[i]) {
                a2[n - 1].merge(states[i]);
            } else {
                s2[n] = starts[i];
                a2[n++] = states[i];
            }
        }
        starts = s2;
        states = a2;
        size = n;
    }

    int size() {
        return size;
    }

    long start(int i) {
        return starts[i];
    }

    AggState state(int i) {
        return states[i];
    }

    /**
     * Folds the (coalesced) slots through {@code transform} into the cells {@code cellOf} names by slot start.
     *
     * @param type the field's type: its slot value is what MOMENTS reads
     */
    void fold(SlotTransform transform, FieldType type, LongFunction<AggState> cellOf) {
        switch (transform) {
            case MOMENTS -> {
                for (int i = 0; i < size; i++) {
                    cellOf.apply(starts[i]).addMoment(starts[i], states[i].slotValue(type));
                }
            }
            case COUNTER_INCREASE -> {
                double previous = Double.NaN;
                for (int i = 0; i < size; i++) {
                    AggState s = states[i];
                    double increase = increase(s.first(), s.last())
                            + (Double.isNaN(previous) ? 0 : increase(previous, s.first()));
                    cellOf.apply(starts[i]).add(starts[i], increase);
                    previous = s.last();
                }
            }
            case NONE -> throw new IllegalArgumentException("BUG: untransformed reads are folded by the scan");
        }
    }

    /** A counter's increase from {@code from} to {@code to}: a drop is a reset to 0, after which it counted {@code to}. */
    static double increase(double from, double to) {
        return to >= from ? to - from : to;
    }

    private void append(long start, AggState s) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            states = Arrays.copyOf(states, size * 2);
        }
        starts[size] = start;
        states[size++] = s;
    }
}
