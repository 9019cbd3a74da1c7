package io.meridian.storage.engine;

import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.storage.block.BlockCodec;
import io.meridian.storage.block.PartWriter;
import io.meridian.storage.block.SlotColumns;
import io.meridian.storage.memtable.MemTable;
import io.meridian.storage.memtable.PointBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Writes a frozen memtable as parts: for every (segment, interval) it touches, one part holding the slot
 * aggregates of every (series, field), base and rollups alike, derived from the same raw points.
 * Not thread-safe; one flush at a time per shard.
 */
final class Flusher {
    private final Path shardDir;
    private final List<IntervalSpec> intervals;
    private final long segmentMs;
    // per-flush scratch, released when the flush ends so an idle shard keeps no large buffers
    private BlockCodec codec;
    private long[] ts;
    private double[] vs;

    Flusher(Path shardDir, List<IntervalSpec> intervals, long segmentMs) {
        this.shardDir = shardDir;
        this.intervals = intervals;
        this.segmentMs = segmentMs;
    }

    /** Written part files, relative to the shard directory, each finished (fsynced, renamed). */
    List<String> flush(MemTable mem, FieldType[] types, LongSupplier nextSeq) {
        Map<Long, PartWriter[]> writers = new TreeMap<>();
        Map<Long, String[]> paths = new TreeMap<>();
        List<String> out = new ArrayList<>();
        codec = new BlockCodec();
        ts = new long[1024];
        vs = new double[1024];
        try {
            for (int s = 0; s < mem.seriesBound(); s++) {
                int[] fields = mem.fieldIds(s);
                for (int fi = 0; fi < fields.length; fi++) {
                    PointBuffer b = mem.bufferAt(s, fi);
                    int n = b.size();
                    if (n == 0) {
                        continue;
                    }
                    if (ts.length < n) {
                        ts = new long[n];
                        vs = new double[n];
                    }
                    b.sortedCopy(ts, vs);
                    FieldType type = types[fields[fi]];
                    int from = 0;
                    while (from < n) {
                        long seg = Math.floorDiv(ts[from], segmentMs) * segmentMs;
                        int to = from;
                        while (to < n && ts[to] < seg + segmentMs) {
                            to++;
                        }
                        PartWriter[] w = writers.computeIfAbsent(seg, k -> new PartWriter[intervals.size()]);
                        String[] p = paths.computeIfAbsent(seg, k -> new String[intervals.size()]);
                        for (int i = 0; i < intervals.size(); i++) {
                            long iv = intervals.get(i).intervalMillis();
                            if (w[i] == null) {
                                p[i] = ShardFiles.partPath(seg, iv, nextSeq.getAsLong());
                                w[i] = new PartWriter(shardDir.resolve(p[i]), iv, seg, (int) (segmentMs / iv), codec);
                            }
                            w[i].add(s, fields[fi], type, slots(seg, iv, from, to, type));
                        }
                        from = to;
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
            return out;
        } finally {
            codec = null;
            ts = null;
            vs = null;
            for (PartWriter[] w : writers.values()) {
                for (PartWriter pw : w) {
                    if (pw != null) {
                        pw.close();
                    }
                }
            }
        }
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
