package io.meridian.storage.memtable;

import io.meridian.common.model.AggState;
import java.util.Arrays;
import org.roaringbitmap.RoaringBitmap;

/**
 * The mutable, in-memory part of a shard: raw points per (series, field) since the last flush, backed by
 * the WAL. Points are kept raw (not pre-merged into slots) so that appends are two array stores and
 * every family (base and rollups) is derived from the same points at flush time. Partial aggregates of base slots
 * ({@link #appendPartial}) are kept next to them and merged with them wherever points are read.
 *
 * <p>It also keeps each series' <em>rows</em> ({@link #rows}): the slots of a given interval (the base interval) in
 * which the series has a point in any field, as a bitmap, so COUNT(*) and DISTINCT count them without walking the
 * points. Slot {@code k} (of {@code floor(ts / interval)}) is bit {@code k - rowOrigin}; a series whose points lie
 * too far apart for one bitmap (more than 2^31 slots) is marked untracked and read from its points instead.
 *
 * <p>Threading: mutated under the shard's write lock, read under its read lock. A frozen memtable (being
 * flushed) is never mutated again.
 */
public final class MemTable {
    private static final int[] NO_FIELDS = new int[0];
    /** Marks a series whose rows are not tracked (see the class comment). */
    private static final RoaringBitmap UNTRACKED = new RoaringBitmap();

    /** The interval of the tracked rows' slots; 0 = rows are not tracked. */
    private final long rowIntervalMs;
    /** The slot that bit 0 stands for, fixed by the first point; Long.MIN_VALUE until then. */
    private long rowOrigin = Long.MIN_VALUE;

    private RoaringBitmap[] rows = new RoaringBitmap[1024];

    private int[][] fieldIds = new int[1024][];
    private PointBuffer[][] buffers = new PointBuffer[1024][];
    private long bytes;
    private long points;
    private long cells;
    private long minTs = Long.MAX_VALUE;
    private long maxTs = Long.MIN_VALUE;

    /** A memtable that does not track rows. */
    public MemTable() {
        this(0);
    }

    /** @param rowIntervalMs the interval whose slots {@link #rows} counts (0: none) */
    public MemTable(long rowIntervalMs) {
        this.rowIntervalMs = rowIntervalMs;
    }

    /** Appends one point. */
    public void append(int seriesId, int fieldId, long ts, double value) {
        PointBuffer b = buffer(seriesId, fieldId);
        bytes += b.append(ts, value);
        markRow(seriesId, ts);
        points++;
        if (ts < minTs) {
            minTs = ts;
        }
        if (ts > maxTs) {
            maxTs = ts;
        }
    }

    /**
     * Appends rows of one series: {@code values[row * fieldIds.length + column]}, NaN = no value.
     * Resolves each field's buffer once per call, not once per point.
     * @return points appended
     */
    public long appendRows(int seriesId, int[] fieldIds, long[] ts, double[] values) {
        int nf = fieldIds.length;
        long n = 0;
        if (rowIntervalMs > 0) {
            for (int r = 0; r < ts.length; r++) {
                for (int f = 0; f < nf; f++) {
                    if (!Double.isNaN(values[r * nf + f])) {
                        markRow(seriesId, ts[r]);
                        break;
                    }
                }
            }
        }
        for (int f = 0; f < nf; f++) {
            PointBuffer b = buffer(seriesId, fieldIds[f]);
            bytes += b.reserve(ts.length);
            for (int r = 0; r < ts.length; r++) {
                double v = values[r * nf + f];
                if (!Double.isNaN(v)) {
                    bytes += b.append(ts[r], v);
                    n++;
                    if (ts[r] < minTs) {
                        minTs = ts[r];
                    }
                    if (ts[r] > maxTs) {
                        maxTs = ts[r];
                    }
                }
            }
        }
        points += n;
        return n;
    }

    /**
     * Appends a partial aggregate of the base slot starting at {@code slotStart}: the merge of the points a writer
     * folded. A cell of one point is appended as that point, so that storage keeps it exactly as a raw write.
     */
    public void appendPartial(int seriesId, int fieldId, long slotStart, AggState cell) {
        if (cell.count() == 1) {
            append(seriesId, fieldId, cell.firstTs(), cell.first());
            return;
        }
        PointBuffer b = buffer(seriesId, fieldId);
        bytes += b.appendPartial(slotStart, cell);
        markRow(seriesId, slotStart);
        points += cell.count();
        cells++;
        minTs = Math.min(minTs, cell.firstTs());
        maxTs = Math.max(maxTs, cell.lastTs());
    }

    private void markRow(int seriesId, long ts) {
        if (rowIntervalMs <= 0) {
            return;
        }
        if (seriesId >= rows.length) {
            rows = Arrays.copyOf(rows, Math.max(seriesId + 1, rows.length * 2));
        }
        RoaringBitmap r = rows[seriesId];
        if (r == UNTRACKED) {
            return;
        }
        long slot = Math.floorDiv(ts, rowIntervalMs);
        if (rowOrigin == Long.MIN_VALUE) {
            rowOrigin = slot - (1L << 30); // room both ways: points may arrive out of order
        }
        long bit = slot - rowOrigin;
        if (bit < 0 || bit > Integer.MAX_VALUE) {
            rows[seriesId] = UNTRACKED;
            return;
        }
        if (r == null) {
            r = rows[seriesId] = new RoaringBitmap();
        }
        if (r.checkedAdd((int) bit)) {
            bytes += 2; // about an array container's cost per row
        }
    }

    /** The interval of the slots {@link #rows} counts; 0 when rows are not tracked. */
    public long rowIntervalMs() {
        return rowIntervalMs;
    }

    /** The slot number ({@code floor(ts / rowIntervalMs())}) that bit 0 of {@link #rows} stands for. */
    public long rowOrigin() {
        return rowOrigin;
    }

    /**
     * The series' rows: bit {@code k} set when it has a point in some field in slot {@code rowOrigin() + k}; null when
     * it has no point here or its rows are not tracked ({@link #rowsTracked}). Do not modify.
     */
    public RoaringBitmap rows(int seriesId) {
        RoaringBitmap r = seriesId < rows.length ? rows[seriesId] : null;
        return r == UNTRACKED ? null : r;
    }

    /** Whether {@link #rows} answers for the series (false when the memtable does not track rows or gave up on it). */
    public boolean rowsTracked(int seriesId) {
        return rowIntervalMs > 0 && (seriesId >= rows.length || rows[seriesId] != UNTRACKED);
    }

    /** The buffer of (series, field), created when absent. */
    public PointBuffer buffer(int seriesId, int fieldId) {
        if (seriesId >= fieldIds.length) {
            int cap = Math.max(seriesId + 1, fieldIds.length * 2);
            fieldIds = Arrays.copyOf(fieldIds, cap);
            buffers = Arrays.copyOf(buffers, cap);
        }
        int[] ids = fieldIds[seriesId];
        if (ids == null) {
            ids = NO_FIELDS;
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == fieldId) {
                return buffers[seriesId][i];
            }
        }
        PointBuffer b = new PointBuffer();
        int n = ids.length;
        int[] nids = Arrays.copyOf(ids, n + 1);
        PointBuffer[] nb = buffers[seriesId] == null ? new PointBuffer[1] : Arrays.copyOf(buffers[seriesId], n + 1);
        nids[n] = fieldId;
        nb[n] = b;
        // keep field ids sorted so flushes emit blocks in (series, field) order
        for (int i = n; i > 0 && nids[i - 1] > nids[i]; i--) {
            int t = nids[i];
            nids[i] = nids[i - 1];
            nids[i - 1] = t;
            PointBuffer tb = nb[i];
            nb[i] = nb[i - 1];
            nb[i - 1] = tb;
        }
        fieldIds[seriesId] = nids;
        buffers[seriesId] = nb;
        bytes += b.capacityBytes() + 64;
        return b;
    }

    /** The buffer of (series, field), or null. */
    public PointBuffer find(int seriesId, int fieldId) {
        if (seriesId >= fieldIds.length || fieldIds[seriesId] == null) {
            return null;
        }
        int[] ids = fieldIds[seriesId];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == fieldId) {
                return buffers[seriesId][i];
            }
        }
        return null;
    }

    /** Exclusive upper bound of series ids that may hold data. */
    public int seriesBound() {
        return fieldIds.length;
    }

    /** Field ids with data for a series, ascending (empty when none). */
    public int[] fieldIds(int seriesId) {
        if (seriesId >= fieldIds.length || fieldIds[seriesId] == null) {
            return NO_FIELDS;
        }
        return fieldIds[seriesId];
    }

    public PointBuffer bufferAt(int seriesId, int index) {
        return buffers[seriesId][index];
    }

    public long bytes() {
        return bytes;
    }

    /** Points held, those folded into partial aggregates included. */
    public long points() {
        return points;
    }

    /** Partial aggregates held (of two or more points each). */
    public long partialCells() {
        return cells;
    }

    public boolean isEmpty() {
        return points == 0;
    }

    public long minTimestamp() {
        return minTs;
    }

    public long maxTimestamp() {
        return maxTs;
    }
}
