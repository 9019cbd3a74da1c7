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
            out.putVarInt(seriesIds[i]).putVarInt(fieldIds[i].length);
            for (int f : fieldIds[i]) {
                out.putVarInt(f);
            }
            long[] ts = r.timestamps();
            out.putVarInt(ts.length);
            long prev = 0;
            for (long t : ts) {
                out.putZigZag(t - prev);
                prev = t;
            }
            out.putDoubles(r.values(), r.values().length);
        }
    }

    /** Encodes already-resolved points (staged transactions logged again after a WAL rotation). */
    static void encode(List<StagedTransactions.Points> points, ByteSink out) {
        out.putVarInt(points.size());
        for (StagedTransactions.Points p : points) {
            out.putVarInt(p.seriesId()).putVarInt(p.fieldIds().length);
            for (int f : p.fieldIds()) {
                out.putVarInt(f);
            }
            out.putVarInt(p.ts().length);
            long prev = 0;
            for (long t : p.ts()) {
                out.putZigZag(t - prev);
                prev = t;
            }
            out.putDoubles(p.values(), p.values().length);
        }
    }

    public static void decode(ByteSource in, Visitor visitor) {
        int n = in.getVarInt(MAX_COUNT, "series count");
        for (int i = 0; i < n; i++) {
            int seriesId = in.getVarInt(Integer.MAX_VALUE, "series id");
            int nf = in.getVarInt(MAX_COUNT, "field count");
            int[] fields = new int[nf];
            for (int f = 0; f < nf; f++) {
                fields[f] = in.getVarInt(Integer.MAX_VALUE, "field id");
            }
            int rows = in.getVarInt(MAX_COUNT, "row count");
            if ((long) rows * nf * 8 > in.remaining()) {
                throw in.corrupt(
                        "points record claims " + rows + " x " + nf + " values but holds " + in.remaining() + " bytes");
            }
            long[] ts = new long[rows];
            long prev = 0;
            for (int r = 0; r < rows; r++) {
                prev += in.getZigZag();
                ts[r] = prev;
            }
            double[] values = new double[rows * nf];
            for (int k = 0; k < values.length; k++) {
                values[k] = in.getDouble();
            }
            visitor.series(seriesId, fields, ts, values);
        }
    }
}
