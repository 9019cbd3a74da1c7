package io.meridian.storage.part;

import com.github.luben.zstd.Zstd;
import io.meridian.common.error.CorruptDataException;
import io.meridian.common.model.Histogram;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.encoding.FloatColumnCodec;
import io.meridian.storage.encoding.LongColumnCodec;
import java.util.Arrays;

/**
 * Encodes and decodes one block: the {@link SlotColumns} of one (series, field). The grammar is in
 * FORMAT.md ({@code block payload}). Not thread-safe: one instance per flushing or compacting thread,
 * because it reuses scratch buffers.
 */
public final class BlockCodec {
    /** Payload flag: the body is zstd-compressed. */
    static final int FLAG_ZSTD = 1;

    static final int MODE_SINGLE = 0;
    static final int MODE_FULL = 1;
    /** FULL with first/min/max predicted from their neighbours (part format v3). */
    static final int MODE_PREDICTED = 2;
    /** Bodies smaller than this are not worth a zstd frame. */
    static final int MIN_COMPRESS_BYTES = 48;
    /**
     * zstd level of new blocks: an encoder setting, not part of the format. 9 instead of 3 cost little flush
     * time on the engine benchmark and shrank integer data 0.536 -> 0.514 bytes/point.
     */
    public static final int DEFAULT_ZSTD_LEVEL = 9;
    /** Upper bound of entries in one block: slots of one segment. */
    public static final int MAX_ENTRIES = 1 << 22;

    private final int zstdLevel;
    /** Set by the single-mode body writer: its value column is Rice-coded with a sure win. */
    private boolean riceDominates;

    private final ByteSink body = new ByteSink(4096);
    private ByteSink best = new ByteSink(4096);
    private ByteSink candidate = new ByteSink(4096);
    private int[] slotScratch = new int[1024];
    private long[] longScratch = new long[1024];
    private long[] longScratch2 = new long[1024];
    private double[] doubleScratch = new double[1024];
    private byte[] zstdScratch = new byte[4096];

    public BlockCodec() {
        this(DEFAULT_ZSTD_LEVEL);
    }

    public BlockCodec(int zstdLevel) {
        this.zstdLevel = zstdLevel;
    }

    /**
     * Writes a block body into a sink; {@code allowRice} as in {@link LongColumnCodec}, {@code allowPredicted}
     * permits the PREDICTED mode for multi-point slots. Returns whether a RICE column was written whose win
     * over varints + zstd is uncertain (then the byte-aligned variant is tried too).
     */
    @FunctionalInterface
    private interface BodyWriter {
        boolean write(ByteSink sink, boolean allowRice, boolean allowPredicted);
    }

    /** Appends the payload of a block to {@code out}. */
    public void encode(SlotColumns c, ByteSink out) {
        int n = c.size();
        ensureScratch(n);
        for (int i = 0; i < n; i++) {
            slotScratch[i] = c.slot(i);
        }
        if (c.isSingle()) {
            doubles(c, 0);
            longs(c, 0);
            emit(
                    out,
                    (sink, rice, predicted) -> singleBody(sink, slotScratch, doubleScratch, longScratch2, n, rice),
                    2);
            return;
        }
        emit(out, (sink, rice, predicted) -> fullBody(sink, c, rice, predicted), 4);
    }

    /**
     * Encodes a SINGLE-mode block straight from parallel arrays (one point per slot, ascending slots): the
     * flush's fast path for the base interval, which never builds {@link SlotColumns}.
     */
    public void encodeSingle(int[] slots, double[] values, long[] offsets, int n, ByteSink out) {
        ensureScratch(n);
        emit(out, (sink, rice, predicted) -> singleBody(sink, slots, values, offsets, n, rice), 2);
    }

    private boolean singleBody(ByteSink sink, int[] slots, double[] values, long[] offsets, int n, boolean allowRice) {
        writePresence(sink, slots, n);
        if (n == 0) {
            return false;
        }
        sink.put((byte) MODE_SINGLE);
        int valuesKind = FloatColumnCodec.encode(values, n, sink, longScratch, allowRice);
        boolean uncertain = valuesKind == LongColumnCodec.RICE_UNCERTAIN;
        riceDominates = valuesKind == LongColumnCodec.RICE_CONFIDENT;
        return LongColumnCodec.encode(offsets, n, sink, allowRice) == LongColumnCodec.RICE_UNCERTAIN | uncertain;
    }

    private boolean fullBody(ByteSink sink, SlotColumns c, boolean allowRice, boolean allowPredicted) {
        int n = c.size();
        writePresence(sink, slotScratch, n);
        if (n == 0) {
            return false;
        }
        int dataScale = dataScale(c);
        long[][] m = allowPredicted && dataScale >= 0 ? mantissas(c, dataScale) : null;
        sink.put((byte) (m != null ? MODE_PREDICTED : MODE_FULL));
        longs(c, 1);
        boolean rice = LongColumnCodec.encode(longScratch2, n, sink, allowRice) == LongColumnCodec.RICE_UNCERTAIN;
        doubles(c, 1);
        if (dataScale > 0) {
            FloatColumnCodec.snapToScale(doubleScratch, n, dataScale);
        }
        rice |= FloatColumnCodec.encode(doubleScratch, n, sink, longScratch, allowRice)
                == LongColumnCodec.RICE_UNCERTAIN;
        if (m != null) {
            rice |= predictedColumns(sink, m, n, dataScale, allowRice);
        } else {
            for (int comp = 2; comp <= 5; comp++) {
                doubles(c, comp);
                rice |= FloatColumnCodec.encode(doubleScratch, n, sink, longScratch, allowRice)
                        == LongColumnCodec.RICE_UNCERTAIN;
            }
        }
        longs(c, 0);
        rice |= LongColumnCodec.encode(longScratch2, n, sink, allowRice) == LongColumnCodec.RICE_UNCERTAIN;
        longs(c, 2);
        rice |= LongColumnCodec.encode(longScratch2, n, sink, allowRice) == LongColumnCodec.RICE_UNCERTAIN;
        if (c.isHistogram()) {
            for (int i = 0; i < n; i++) {
                Histogram h = c.histogram(i);
                int size = h == null ? 0 : h.size();
                sink.putVarInt(size);
                int prev = 0;
                for (int k = 0; k < size; k++) {
                    sink.putVarInt(h.indexAt(k) - prev).putVarLong(h.countAt(k));
                    prev = h.indexAt(k);
                }
            }
        }
        return rice;
    }

    /** Mantissas of min, max, first, last at {@code scale}: {min, max, first, last}, or null when inexact. */
    private long[][] mantissas(SlotColumns c, int scale) {
        int n = c.size();
        long[][] m = new long[4][n];
        for (int comp = 2; comp <= 5; comp++) {
            doubles(c, comp);
            if (!FloatColumnCodec.mantissasAt(doubleScratch, n, scale, m[comp - 2])) {
                return null;
            }
        }
        return m;
    }

    /**
     * PREDICTED columns: last as is; first, min and max as residuals against what their neighbours predict
     * (first ~ the previous slot's last; min and max ~ the nearer of first and last), each written as the
     * running sum of residuals so that the long column's delta recovers the residual itself.
     */
    private boolean predictedColumns(ByteSink sink, long[][] m, int n, int scale, boolean allowRice) {
        long[] min = m[0];
        long[] max = m[1];
        long[] first = m[2];
        long[] last = m[3];
        sink.put((byte) scale);
        boolean rice = LongColumnCodec.encode(last, n, sink, allowRice) == LongColumnCodec.RICE_UNCERTAIN;
        long[] acc = new long[n];
        long run = 0;
        for (int i = 0; i < n; i++) {
            run += first[i] - (i == 0 ? last[0] : last[i - 1]);
            acc[i] = run;
        }
        rice |= LongColumnCodec.encode(acc, n, sink, allowRice) == LongColumnCodec.RICE_UNCERTAIN;
        run = 0;
        for (int i = 0; i < n; i++) {
            run += Math.min(first[i], last[i]) - min[i];
            acc[i] = run;
        }
        rice |= LongColumnCodec.encode(acc, n, sink, allowRice) == LongColumnCodec.RICE_UNCERTAIN;
        run = 0;
        for (int i = 0; i < n; i++) {
            run += max[i] - Math.max(first[i], last[i]);
            acc[i] = run;
        }
        return LongColumnCodec.encode(acc, n, sink, allowRice) == LongColumnCodec.RICE_UNCERTAIN | rice;
    }

    /** Inverse of {@link #predictedColumns}: fills comps[1..4] = min, max, first, last. */
    private static void decodePredicted(ByteSource b, double[][] comps, int n) {
        int scale = b.getUnsignedByte();
        if (scale > FloatColumnCodec.MAX_SCALE) {
            throw b.corrupt("decimal scale out of range: got " + scale + "; want 0.." + FloatColumnCodec.MAX_SCALE);
        }
        long[] last = new long[n];
        long[] first = new long[n];
        long[] min = new long[n];
        long[] max = new long[n];
        LongColumnCodec.decode(b, last, n);
        LongColumnCodec.decode(b, first, n);
        LongColumnCodec.decode(b, min, n);
        LongColumnCodec.decode(b, max, n);
        long prevFirst = 0;
        long prevMin = 0;
        long prevMax = 0;
        for (int i = 0; i < n; i++) {
            long f = first[i] - prevFirst + (i == 0 ? last[0] : last[i - 1]);
            prevFirst = first[i];
            long lo = Math.min(f, last[i]) - (min[i] - prevMin);
            prevMin = min[i];
            long hi = Math.max(f, last[i]) + (max[i] - prevMax);
            prevMax = max[i];
            comps[1][i] = FloatColumnCodec.fromMantissa(lo, scale);
            comps[2][i] = FloatColumnCodec.fromMantissa(hi, scale);
            comps[3][i] = FloatColumnCodec.fromMantissa(f, scale);
            comps[4][i] = FloatColumnCodec.fromMantissa(last[i], scale);
        }
    }

    /** The decimal scale of the point values (min, max, first, last), or -1 when they are not short decimals. */
    private int dataScale(SlotColumns c) {
        int scale = 0;
        for (int comp = 2; comp <= 5; comp++) {
            doubles(c, comp);
            int s = FloatColumnCodec.decimalScaleOf(doubleScratch, c.size());
            if (s < 0) {
                return -1;
            }
            scale = Math.max(scale, s);
        }
        return scale;
    }

    private static void writePresence(ByteSink sink, int[] slots, int n) {
        sink.putVarInt(n);
        if (n == 0) {
            return;
        }
        int firstSlot = slots[0];
        int lastSlot = slots[n - 1];
        sink.putVarInt(firstSlot).putVarInt(lastSlot - firstSlot);
        boolean dense = lastSlot - firstSlot + 1 == n;
        sink.put((byte) (dense ? 1 : 0));
        if (!dense) {
            byte[] bitmap = new byte[(lastSlot - firstSlot + 8) / 8];
            for (int i = 0; i < n; i++) {
                int b = slots[i] - firstSlot;
                bitmap[b >>> 3] |= (byte) (1 << (b & 7));
            }
            sink.put(bitmap);
        }
    }

    /**
     * Writes the smallest payload among the body variants (each zstd-compressed when that pays). Variant bit
     * 0 disables RICE columns; bit 1 disables the PREDICTED mode (for {@code variants} = 4). Rice wins on wide
     * random deltas, varints + zstd on narrow or repetitive ones; prediction wins on random walks, plain
     * columns on periodic data. The byte-aligned variant is skipped when Rice is a sure win (see
     * {@link LongColumnCodec#RICE_CONFIDENT}): trying every variant of every rollup block cost about a third
     * of the flush time, for gains only on strictly periodic data.
     */
    private void emit(ByteSink out, BodyWriter writer, int variants) {
        boolean uncertain = false;
        best.clear();
        boolean haveBest = false;
        for (int v = 0; v < variants; v++) {
            if ((v & 1) == 1 && !uncertain) {
                continue;
            }
            body.clear();
            riceDominates = false;
            uncertain |= writer.write(body, (v & 1) == 0, (v & 2) == 0);
            candidate.clear();
            if (riceDominates && !uncertain) {
                // the body is almost all Rice bits, which zstd cannot shrink: skip the attempt
                candidate.put((byte) 0).put(body.array(), 0, body.size());
            } else {
                finish(candidate, body);
            }
            if (!haveBest || candidate.size() < best.size()) {
                ByteSink t = best;
                best = candidate;
                candidate = t;
                haveBest = true;
            }
        }
        out.put(best.array(), 0, best.size());
    }

    private void finish(ByteSink out, ByteSink sink) {
        int len = sink.size();
        if (len >= MIN_COMPRESS_BYTES) {
            int bound = (int) Zstd.compressBound(len);
            if (zstdScratch.length < bound) {
                zstdScratch = new byte[bound];
            }
            long clen = Zstd.compressByteArray(zstdScratch, 0, bound, sink.array(), 0, len, zstdLevel);
            if (!Zstd.isError(clen) && clen + 5 < len) {
                out.put((byte) FLAG_ZSTD).putVarInt(len).put(zstdScratch, 0, (int) clen);
                return;
            }
        }
        out.put((byte) 0).put(sink.array(), 0, len);
    }

    /**
     * Decodes a payload produced by {@link #encode}; every slot must be below {@code slotCount}.
     * @throws io.meridian.common.error.CorruptDataException on any inconsistency
     */
    public SlotColumns decode(ByteSource in, boolean histogram, int slotCount) {
        return decode(in, histogram, slotCount, null);
    }

    /**
     * Decodes a block, into {@code reuse} when it is not null and the block is of one-point entries (the usual
     * block of the base interval); any other block is decoded into a new instance. The result is valid until
     * {@code reuse} is decoded into again.
     */
    public SlotColumns decode(ByteSource in, boolean histogram, int slotCount, SlotColumns reuse) {
        return decode(in, histogram, slotCount, reuse, 0, slotCount - 1);
    }

    /**
     * {@link #decode(ByteSource, boolean, int, SlotColumns)}, where a one-point block decoded into {@code reuse}
     * holds only its entries of slots {@code [fromSlot, toSlot]}: its columns are decoded up to the last of them
     * and no further (a scan of 12 hours of a day's block reads about 3/4 of it on average, and copies half). Other
     * blocks hold all their entries; a caller selects its range from what it gets either way.
     */
    public SlotColumns decode(
            ByteSource in, boolean histogram, int slotCount, SlotColumns reuse, int fromSlot, int toSlot) {
        int flags = in.getUnsignedByte();
        ByteSource b = in;
        if ((flags & FLAG_ZSTD) != 0) {
            int rawLen = in.getVarInt(64 << 20, "uncompressed block length");
            byte[] raw = new byte[rawLen];
            long got;
            try {
                got = Zstd.decompressByteArray(raw, 0, rawLen, in.array(), in.position(), in.remaining());
            } catch (RuntimeException e) {
                throw new CorruptDataException(
                        in.source(), in.position(), "zstd block does not decompress: " + e.getMessage(), e);
            }
            if (Zstd.isError(got) || got != rawLen) {
                throw in.corrupt("zstd block does not decompress to " + rawLen + " bytes (result=" + got + ")");
            }
            b = new ByteSource(raw, 0, rawLen, in.source() + "#zstd", in.position());
        } else if (flags != 0) {
            throw in.corrupt("unknown block flags " + flags);
        }
        int n = b.getVarInt(Math.min(MAX_ENTRIES, slotCount), "entry count");
        if (n == 0) {
            return new SlotColumns(0, histogram);
        }
        ensureScratch(n);
        int firstSlot = b.getVarInt(slotCount - 1, "first slot");
        int span = b.getVarInt(slotCount - 1 - firstSlot, "slot span");
        int dense = b.getUnsignedByte();
        int[] slots = slotScratch;
        if (dense == 1) {
            if (span + 1 != n) {
                throw b.corrupt("dense block spans " + (span + 1) + " slots but holds " + n + " entries");
            }
            for (int i = 0; i < n; i++) {
                slots[i] = firstSlot + i;
            }
        } else if (dense == 0) {
            byte[] bitmap = new byte[(span + 8) / 8];
            b.getBytes(bitmap, 0, bitmap.length);
            int k = 0;
            for (int bit = 0; bit <= span; bit++) {
                if ((bitmap[bit >>> 3] & (1 << (bit & 7))) != 0) {
                    if (k == n) {
                        throw b.corrupt("presence bitmap has more than " + n + " bits set");
                    }
                    slots[k++] = firstSlot + bit;
                }
            }
            if (k != n) {
                throw b.corrupt("presence bitmap has " + k + " bits set; want " + n);
            }
        } else {
            throw b.corrupt("unknown presence kind " + dense);
        }
        int mode = b.getUnsignedByte();
        SlotColumns c;
        if (mode == MODE_SINGLE && !histogram) {
            double[] v = doubleScratch;
            if (reuse != null) {
                int from = firstAtLeast(slots, n, fromSlot);
                int to = toSlot >= slots[n - 1] ? n : Math.max(from, firstAtLeast(slots, n, toSlot + 1));
                FloatColumnCodec.decode(b, v, n, to, longScratch);
                LongColumnCodec.decode(b, longScratch2, n, to);
                c = reuse.fillSingles(slots, v, longScratch2, from, to);
            } else {
                FloatColumnCodec.decode(b, v, n, longScratch);
                LongColumnCodec.decode(b, longScratch2, n);
                c = SlotColumns.singles(slots, v, longScratch2, n);
            }
        } else if (mode == MODE_SINGLE) {
            c = new SlotColumns(n, true);
            double[] v = doubleScratch;
            FloatColumnCodec.decode(b, v, n, longScratch);
            LongColumnCodec.decode(b, longScratch2, n);
            for (int i = 0; i < n; i++) {
                c.appendEntry(
                        slots[i], 1, v[i], v[i], v[i], longScratch2[i], v[i], longScratch2[i], v[i], single(v[i]));
            }
        } else if (mode == MODE_FULL || mode == MODE_PREDICTED) {
            c = new SlotColumns(n, histogram);
            long[] count = new long[n];
            LongColumnCodec.decode(b, count, n);
            double[][] comps = new double[5][n];
            FloatColumnCodec.decode(b, comps[0], n, longScratch);
            if (mode == MODE_PREDICTED) {
                decodePredicted(b, comps, n);
            } else {
                for (int comp = 1; comp < 5; comp++) {
                    FloatColumnCodec.decode(b, comps[comp], n, longScratch);
                }
            }
            long[] fOff = new long[n];
            long[] lOff = new long[n];
            LongColumnCodec.decode(b, fOff, n);
            LongColumnCodec.decode(b, lOff, n);
            for (int i = 0; i < n; i++) {
                Histogram h = null;
                if (histogram) {
                    h = new Histogram();
                    int size = b.getVarInt(Histogram.MAX_INDEX + 1, "histogram bucket count");
                    int idx = 0;
                    for (int k = 0; k < size; k++) {
                        idx += b.getVarInt(Histogram.MAX_INDEX, "histogram bucket index");
                        h.addCount(idx, b.getVarLong());
                    }
                }
                c.appendEntry(
                        slots[i],
                        count[i],
                        comps[0][i],
                        comps[1][i],
                        comps[2][i],
                        fOff[i],
                        comps[3][i],
                        lOff[i],
                        comps[4][i],
                        h);
            }
        } else {
            throw b.corrupt("unknown block mode " + mode);
        }
        return c;
    }

    /** The index of the first of the strictly ascending {@code slots[0, n)} that is at least {@code slot}. */
    private static int firstAtLeast(int[] slots, int n, int slot) {
        int at = Arrays.binarySearch(slots, 0, n, slot);
        return at >= 0 ? at : -at - 1;
    }

    private static Histogram single(double v) {
        Histogram h = new Histogram();
        h.record(v, 1);
        return h;
    }

    /** Component order in FULL mode: 0 count... see FORMAT.md; doubles 1..5 = sum, min, max, first, last. */
    private void doubles(SlotColumns c, int comp) {
        int n = c.size();
        for (int i = 0; i < n; i++) {
            doubleScratch[i] = switch (comp) {
                case 0, 5 -> c.last(i);
                case 1 -> c.sum(i);
                case 2 -> c.min(i);
                case 3 -> c.max(i);
                case 4 -> c.first(i);
                default -> throw new IllegalStateException("BUG: component " + comp);
            };
        }
    }

    /** 0 = first offset, 1 = count, 2 = last offset. */
    private void longs(SlotColumns c, int which) {
        int n = c.size();
        for (int i = 0; i < n; i++) {
            longScratch2[i] = switch (which) {
                case 0 -> c.firstOffset(i);
                case 1 -> c.count(i);
                default -> c.lastOffset(i);
            };
        }
    }

    private void ensureScratch(int n) {
        if (longScratch.length < n) {
            slotScratch = new int[n];
            longScratch = new long[n];
            longScratch2 = new long[n];
            doubleScratch = new double[n];
        }
    }
}
