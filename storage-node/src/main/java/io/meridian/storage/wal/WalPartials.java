package io.meridian.storage.wal;

import io.meridian.common.model.AggState;
import io.meridian.common.model.Histogram;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.shard.WriteBatch;
import io.meridian.storage.txn.StagedTransactions;
import java.util.List;

/**
 * Payload of a WAL PARTIALS record ({@code storage/log/FORMAT.md}): partial aggregates resolved to series and
 * field ids.
 *
 * <pre>
 * PARTIALS := seriesCount:varint series*
 * series   := seriesId:varint fieldCount:varint fieldId:varint* intervalMs:varlong slots:varint
 *             firstSlotStart:zigzag (slotStart[i]-slotStart[i-1]:zigzag)* cell{slots x fieldCount, row-major}
 * cell     := count:varint                                  0 = no value; nothing follows
 *             ( count = 1:  offset:varint value:f64
 *             | count >= 2: sum:f64 min:f64 max:f64 firstOffset:varint first:f64 lastOffset:varint last:f64 )
 *             buckets:varint (indexDelta:varint bucketCount:varlong)*     0 buckets for non-histogram fields
 * offsets are ms from the slot start
 * </pre>
 */
public final class WalPartials {
    /** Upper bound of slots, fields or buckets decoded from one record. */
    private static final int MAX_COUNT = 1 << 26;

    @FunctionalInterface
    public interface Visitor {
        /** {@code cells} row-major, null = no value. */
        void series(int seriesId, int[] fieldIds, long intervalMs, long[] slotStarts, AggState[] cells);
    }

    private WalPartials() {}

    static void encode(WriteBatch batch, int[] seriesIds, int[][] fieldIds, ByteSink out) {
        out.putVarInt(seriesIds.length);
        for (int i = 0; i < seriesIds.length; i++) {
            WriteBatch.SeriesPartials p = batch.partials().get(i);
            series(seriesIds[i], fieldIds[i], p.intervalMs(), p.slotStarts(), p.cells(), out);
        }
    }

    /** Encodes already-resolved partials (staged transactions logged again after a WAL rotation). */
    static void encode(List<StagedTransactions.Partials> partials, ByteSink out) {
        out.putVarInt(partials.size());
        for (StagedTransactions.Partials p : partials) {
            series(p.seriesId(), p.fieldIds(), p.intervalMs(), p.slotStarts(), p.cells(), out);
        }
    }

    private static void series(
            int seriesId, int[] fieldIds, long intervalMs, long[] slotStarts, AggState[] cells, ByteSink out) {
        out.putVarInt(seriesId);
        WalPoints.putFieldIds(fieldIds, out);
        out.putVarLong(intervalMs);
        WalPoints.putTimes(slotStarts, out);
        for (int k = 0; k < cells.length; k++) {
            cell(cells[k], slotStarts[k / fieldIds.length], out);
        }
    }

    private static void cell(AggState c, long slotStart, ByteSink out) {
        if (c == null || c.isEmpty()) {
            out.putVarLong(0);
            return;
        }
        out.putVarLong(c.count());
        if (c.count() == 1) {
            out.putVarLong(c.firstTs() - slotStart).putDouble(c.first());
        } else {
            out.putDouble(c.sum()).putDouble(c.min()).putDouble(c.max());
            out.putVarLong(c.firstTs() - slotStart).putDouble(c.first());
            out.putVarLong(c.lastTs() - slotStart).putDouble(c.last());
        }
        Histogram h = c.histogram();
        int n = h == null ? 0 : h.size();
        out.putVarInt(n);
        int prevIndex = 0;
        for (int b = 0; b < n; b++) {
            out.putVarInt(h.indexAt(b) - prevIndex).putVarLong(h.countAt(b));
            prevIndex = h.indexAt(b);
        }
    }

    public static void decode(ByteSource in, Visitor visitor) {
        int n = in.getVarInt(MAX_COUNT, "series count");
        for (int i = 0; i < n; i++) {
            int seriesId = in.getVarInt(Integer.MAX_VALUE, "series id");
            int[] fields = WalPoints.fieldIds(in);
            int nf = fields.length;
            long intervalMs = in.getVarLong();
            if (intervalMs <= 0) {
                throw in.corrupt("partials record holds slot width " + intervalMs + " ms; want > 0");
            }
            int slots = in.getVarInt(MAX_COUNT, "slot count");
            if ((long) slots * nf > in.remaining()) {
                throw in.corrupt("partials record claims " + slots + " x " + nf + " cells but holds " + in.remaining()
                        + " bytes");
            }
            long[] starts = WalPoints.times(in, slots);
            AggState[] cells = new AggState[slots * nf];
            for (int k = 0; k < cells.length; k++) {
                cells[k] = cell(in, starts[k / nf]);
            }
            visitor.series(seriesId, fields, intervalMs, starts, cells);
        }
    }

    private static AggState cell(ByteSource in, long slotStart) {
        long count = in.getVarLong();
        if (count == 0) {
            return null;
        }
        if (count < 0) {
            throw in.corrupt("partial cell count out of range: " + Long.toUnsignedString(count));
        }
        AggState c;
        if (count == 1) {
            long ts = slotStart + in.getVarLong();
            c = AggState.of(ts, in.getDouble());
        } else {
            double sum = in.getDouble();
            double min = in.getDouble();
            double max = in.getDouble();
            long firstTs = slotStart + in.getVarLong();
            double first = in.getDouble();
            long lastTs = slotStart + in.getVarLong();
            c = AggState.ofComponents(count, sum, min, max, firstTs, first, lastTs, in.getDouble());
        }
        int buckets = in.getVarInt(Histogram.MAX_INDEX + 1, "bucket count");
        if (buckets > 0) {
            Histogram h = new Histogram();
            int index = 0;
            for (int b = 0; b < buckets; b++) {
                index += in.getVarInt(Histogram.MAX_INDEX, "bucket index delta");
                if (index > Histogram.MAX_INDEX) {
                    throw in.corrupt("histogram bucket index out of range: " + index);
                }
                h.addCount(index, in.getVarLong());
            }
            c.setHistogram(h);
        }
        return c;
    }
}
