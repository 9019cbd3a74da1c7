package io.meridian.storage.wal;

import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.shard.WriteBatch;
import io.meridian.storage.txn.StagedTransactions;
import java.util.List;

/**
 * Payload of a WAL POINTS record ({@code storage/log/FORMAT.md}):
 *
 * <pre>
 * POINTS := seriesCount:varint series*
 * series := seriesId:varint fieldCount:varint fieldId:varint* rows:varint
 *           firstTs:zigzag (ts[i]-ts[i-1]:zigzag)* value:f64{rows x fieldCount, row-major, NaN = absent}
 * </pre>
 */
public final class WalPoints {
    /** Upper bound of rows or fields decoded from one record. */
    private static final int MAX_COUNT = 1 << 26;

    @FunctionalInterface
    public interface Visitor {
        void series(int seriesId, int[] fieldIds, long[] ts, double[] values);
    }

    private WalPoints() {}

    static void encode(WriteBatch batch, int[] seriesIds, int[][] fieldIds, ByteSink out) {
        out.putVarInt(seriesIds.length);
        for (int i = 0; i < seriesIds.length; i++) {
            WriteBatch.SeriesRows r = batch.series().get(i);
            out.putVarInt(seriesIds[i]);
            putFieldIds(fieldIds[i], out);
            putTimes(r.timestamps(), out);
            out.putDoubles(r.values(), r.values().length);
        }
    }

    /** Encodes already-resolved points (staged transactions logged again after a WAL rotation). */
    static void encode(List<StagedTransactions.Points> points, ByteSink out) {
        out.putVarInt(points.size());
        for (StagedTransactions.Points p : points) {
            out.putVarInt(p.seriesId());
            putFieldIds(p.fieldIds(), out);
            putTimes(p.ts(), out);
            out.putDoubles(p.values(), p.values().length);
        }
    }

    public static void decode(ByteSource in, Visitor visitor) {
        int n = in.getVarInt(MAX_COUNT, "series count");
        for (int i = 0; i < n; i++) {
            int seriesId = in.getVarInt(Integer.MAX_VALUE, "series id");
            int[] fields = fieldIds(in);
            int nf = fields.length;
            int rows = in.getVarInt(MAX_COUNT, "row count");
            if ((long) rows * nf * 8 > in.remaining()) {
                throw in.corrupt(
                        "points record claims " + rows + " x " + nf + " values but holds " + in.remaining() + " bytes");
            }
            long[] ts = times(in, rows);
            double[] values = new double[rows * nf];
            for (int k = 0; k < values.length; k++) {
                values[k] = in.getDouble();
            }
            visitor.series(seriesId, fields, ts, values);
        }
    }

    /** {@code count:varint fieldId:varint*}: the field ids of a series, in both points and partials records. */
    static void putFieldIds(int[] ids, ByteSink out) {
        out.putVarInt(ids.length);
        for (int f : ids) {
            out.putVarInt(f);
        }
    }

    static int[] fieldIds(ByteSource in) {
        int[] fields = new int[in.getVarInt(MAX_COUNT, "field count")];
        for (int f = 0; f < fields.length; f++) {
            fields[f] = in.getVarInt(Integer.MAX_VALUE, "field id");
        }
        return fields;
    }

    /** {@code count:varint first:zigzag (t[i]-t[i-1]:zigzag)*}: row timestamps, or partials' slot starts. */
    static void putTimes(long[] times, ByteSink out) {
        out.putVarInt(times.length);
        long prev = 0;
        for (long t : times) {
            out.putZigZag(t - prev);
            prev = t;
        }
    }

    /** The {@code count} times after the count that {@link #putTimes} wrote (read by the caller, bounded). */
    static long[] times(ByteSource in, int count) {
        long[] times = new long[count];
        long prev = 0;
        for (int r = 0; r < count; r++) {
            prev += in.getZigZag();
            times[r] = prev;
        }
        return times;
    }
}
