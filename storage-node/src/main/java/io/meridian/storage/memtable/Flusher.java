package io.meridian.storage.memtable;

import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.part.BlockCodec;
import io.meridian.storage.part.PartWriter;
import io.meridian.storage.part.SlotColumns;
import io.meridian.storage.shard.ShardFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a frozen memtable as parts: for every (segment, interval) it touches, one part holding the slot
 * aggregates of every (series, field), base and rollups alike, derived from the same raw points and partial
 * aggregates.
 * Not thread-safe; one flush at a time per shard.
 */
public final class Flusher {
    private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);
    private final FileIo io;
    private final Path shardDir;
    private final List<IntervalSpec> intervals;
    private final long segmentMs;
    // per-flush scratch, released when the flush ends so an idle shard keeps no large buffers
    private BlockCodec codec;
    private long[] ts;
    private double[] vs;

    public Flusher(FileIo io, Path shardDir, List<IntervalSpec> intervals, long segmentMs) {
        this.io = io;
        this.shardDir = shardDir;
        this.intervals = intervals;
        this.segmentMs = segmentMs;
    }

    private long currentSeg = Long.MIN_VALUE;
    private PartWriter[] currentWriters;
    private String[] currentPaths;
    private int[] slotScratch;
    private long[] offsetScratch;

    /**
     * Written part files, relative to the shard directory, each finished (fsynced, renamed). When it fails, the
     * parts it had written are removed again (no MANIFEST names them yet) and the memtable can be flushed again.
     */
    public List<String> flush(MemTable mem, FieldType[] types, LongSupplier nextSeq) {
        Map<Long, PartWriter[]> writers = new TreeMap<>();
        Map<Long, String[]> paths = new TreeMap<>();
        List<String> out = new ArrayList<>();
        codec = new BlockCodec();
        ts = new long[1024];
        vs = new double[1024];
        slotScratch = new int[1024];
        offsetScratch = new long[1024];
        currentSeg = Long.MIN_VALUE;
        boolean done = false;
        try {
            for (int s = 0; s < mem.seriesBound(); s++) {
                int[] fields = mem.fieldIds(s);
                for (int fi = 0; fi < fields.length; fi++) {
                    PointBuffer b = mem.bufferAt(s, fi);
                    int n = b.size();
                    PartialBuffer p = b.partials();
                    if (n == 0 && p == null) {
                        continue;
                    }
                    if (ts.length < n) {
                        ts = new long[n];
                        vs = new double[n];
                        slotScratch = new int[n];
                        offsetScratch = new long[n];
                    }
                    b.sortedCopy(ts, vs);
                    FieldType type = types[fields[fi]];
                    int[] order = p == null ? null : p.sortedOrder();
                    int from = 0;
                    int pFrom = 0;
                    int pn = order == null ? 0 : order.length;
                    while (from < n || pFrom < pn) {
                        long seg = Math.min(
                                from < n ? Math.floorDiv(ts[from], segmentMs) * segmentMs : Long.MAX_VALUE,
                                pFrom < pn
                                        ? Math.floorDiv(p.slotStart(order[pFrom]), segmentMs) * segmentMs
                                        : Long.MAX_VALUE);
                        int to = from;
                        while (to < n && ts[to] < seg + segmentMs) {
                            to++;
                        }
                        int pTo = pFrom;
                        while (pTo < pn && p.slotStart(order[pTo]) < seg + segmentMs) {
                            pTo++;
                        }
                        if (seg != currentSeg) {
                            currentSeg = seg;
                            currentWriters = writers.computeIfAbsent(seg, k -> new PartWriter[intervals.size()]);
                            currentPaths = paths.computeIfAbsent(seg, k -> new String[intervals.size()]);
                        }
                        if (pTo == pFrom) {
                            writeFamilies(s, fields[fi], type, seg, from, to, nextSeq);
                        } else {
                            SlotColumns base = baseWithPartials(seg, from, to, p, order, pFrom, pTo, type);
                            writeFamiliesFrom(base, s, fields[fi], type, seg, nextSeq);
                        }
                        from = to;
                        pFrom = pTo;
                    }
                }
            }
            for (Map.Entry<Long, PartWriter[]> e : writers.entrySet()) {
                PartWriter[] w = e.getValue();
                for (int i = 0; i < w.length; i++) {
                    w[i].finish();
                    out.add(paths.get(e.getKey())[i]);
                }
            }
            done = true;
            return out;
        } finally {
            if (!done) {
                removeFinished(out);
            }
            codec = null;
            ts = null;
            vs = null;
            slotScratch = null;
            offsetScratch = null;
            currentWriters = null;
            currentPaths = null;
            for (PartWriter[] w : writers.values()) {
                for (PartWriter pw : w) {
                    if (pw != null) {
                        pw.close();
                    }
                }
            }
        }
    }

    private void removeFinished(List<String> written) {
        for (String rel : written) {
            try {
                io.delete(shardDir.resolve(rel));
            } catch (IOException | RuntimeException e) {
                // it stays an orphan: the next open moves it to quarantine/
                LOG.warn("cannot remove a part of a failed flush [file={}]", shardDir.resolve(rel), e);
            }
        }
    }

    private PartWriter writer(int family, long seg, LongSupplier nextSeq) {
        if (currentWriters[family] == null) {
            long iv = intervals.get(family).intervalMillis();
            currentPaths[family] = ShardFiles.partPath(seg, iv, nextSeq.getAsLong());
            currentWriters[family] =
                    new PartWriter(io, shardDir.resolve(currentPaths[family]), iv, seg, (int) (segmentMs / iv), codec);
        }
        return currentWriters[family];
    }

    /**
     * Writes points [from, to) of one (series, field) in one segment to every family. The base family takes
     * the fast path when every point has its own slot; each rollup is derived from the family before it.
     * (Segments that also hold partial aggregates go through {@link #baseWithPartials} instead.)
     */
    private void writeFamilies(
            int series, int field, FieldType type, long seg, int from, int to, LongSupplier nextSeq) {
        long baseIv = intervals.get(0).intervalMillis();
        int n = 0;
        boolean distinct = true;
        for (int k = from; k < to; k++) {
            long rel = ts[k] - seg;
            int slot = (int) (rel / baseIv);
            distinct &= n == 0 || slotScratch[n - 1] != slot;
            slotScratch[n] = slot;
            offsetScratch[n] = rel - slot * baseIv;
            n++;
        }
        if (distinct && type != FieldType.HISTOGRAM) {
            double[] values = from == 0 ? vs : Arrays.copyOfRange(vs, from, to);
            writer(0, seg, nextSeq).addSingle(series, field, type, slotScratch, values, offsetScratch, n);
            if (intervals.size() > 1) {
                SlotColumns prev = slots(seg, intervals.get(1).intervalMillis(), from, to, type);
                writer(1, seg, nextSeq).add(series, field, type, prev);
                writeRollups(prev, 2, series, field, type, seg, nextSeq);
            }
        } else {
            writeFamiliesFrom(slots(seg, baseIv, from, to, type), series, field, type, seg, nextSeq);
        }
    }

    /** Writes a segment's base-interval slots to the base family and every rollup derived from them. */
    private void writeFamiliesFrom(
            SlotColumns base, int series, int field, FieldType type, long seg, LongSupplier nextSeq) {
        writer(0, seg, nextSeq).add(series, field, type, base);
        writeRollups(base, 1, series, field, type, seg, nextSeq);
    }

    /** Writes families {@code first..} each coarsened from the one before, starting with {@code prev}. */
    private void writeRollups(
            SlotColumns prev, int first, int series, int field, FieldType type, long seg, LongSupplier nextSeq) {
        for (int i = first; i < intervals.size(); i++) {
            long fine = intervals.get(i - 1).intervalMillis();
            prev = prev.coarsen((int) (intervals.get(i).intervalMillis() / fine), fine);
            writer(i, seg, nextSeq).add(series, field, type, prev);
        }
    }

    /**
     * The base-interval slots of one segment from raw points {@code [from, to)} and the partial cells
     * {@code order[pFrom..pTo)}, merged in slot order.
     */
    private SlotColumns baseWithPartials(
            long seg, int from, int to, PartialBuffer p, int[] order, int pFrom, int pTo, FieldType type) {
        long iv = intervals.get(0).intervalMillis();
        SlotColumns c =
                new SlotColumns(Math.min(to - from + pTo - pFrom, (int) (segmentMs / iv)), type == FieldType.HISTOGRAM);
        int k = from;
        int j = pFrom;
        while (k < to || j < pTo) {
            long rawRel = k < to ? ts[k] - seg : Long.MAX_VALUE;
            long partRel = j < pTo ? p.slotStart(order[j]) - seg : Long.MAX_VALUE;
            if (rawRel < partRel) {
                int slot = (int) (rawRel / iv);
                c.addPoint(slot, rawRel - slot * iv, vs[k]);
                k++;
            } else {
                int slot = (int) (partRel / iv);
                c.addPartial(slot, p.cell(order[j]), seg + slot * iv);
                j++;
            }
        }
        return c;
    }

    private SlotColumns slots(long seg, long iv, int from, int to, FieldType type) {
        SlotColumns c = new SlotColumns(Math.min(to - from, (int) (segmentMs / iv)), type == FieldType.HISTOGRAM);
        for (int k = from; k < to; k++) {
            long rel = ts[k] - seg;
            int slot = (int) (rel / iv);
            c.addPoint(slot, rel - slot * iv, vs[k]);
        }
        return c;
    }
}
