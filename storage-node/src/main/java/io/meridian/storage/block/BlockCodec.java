package io.meridian.storage.block;

import com.github.luben.zstd.Zstd;
import io.meridian.common.error.CorruptDataException;
import io.meridian.common.model.Histogram;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.encoding.FloatColumnCodec;
import io.meridian.storage.encoding.LongColumnCodec;

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
    private final ByteSink body = new ByteSink(4096);
    private final ByteSink alt = new ByteSink(4096);
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
     * Writes a block body into a sink; {@code allowRice} as in {@link LongColumnCodec}. Returns whether a
     * RICE column was written whose win over varints + zstd is uncertain (then both bodies are tried).
     */
    @FunctionalInterface
    private interface BodyWriter {
        boolean write(ByteSink sink, boolean allowRice);
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
            emit(out, (sink, rice) -> singleBody(sink, slotScratch, doubleScratch, longScratch2, n, rice));
            return;
        }
        emit(out, (sink, rice) -> fullBody(sink, c, rice));
    }

    /**
     * Encodes a SINGLE-mode block straight from parallel arrays (one point per slot, ascending slots): the
     * flush's fast path for the base interval, which never builds {@link SlotColumns}.
     */
    public void encodeSingle(int[] slots, double[] values, long[] offsets, int n, ByteSink out) {
        ensureScratch(n);
        emit(out, (sink, rice) -> singleBody(sink, slots, values, offsets, n, rice));
    }

    private boolean singleBody(ByteSink sink, int[] slots, double[] values, long[] offsets, int n, boolean allowRice) {
        writePresence(sink, slots, n);
        if (n == 0) {
            return false;
        }
        sink.put((byte) MODE_SINGLE);
        boolean uncertain = FloatColumnCodec.encode(values, n, sink, longScratch, allowRice) == LongColumnCodec.RICE_UNCERTAIN;
        return LongColumnCodec.encode(offsets, n, sink, allowRice) == LongColumnCodec.RICE_UNCERTAIN | uncertain;
    }

    private boolean fullBody(ByteSink sink, SlotColumns c, boolean allowRice) {
        int n = c.size();
        writePresence(sink, slotScratch, n);
        if (n == 0) {
            return false;
        }
        sink.put((byte) MODE_FULL);
        longs(c, 1);
        boolean rice = LongColumnCodec.encode(longScratch2, n, sink, allowRice) == LongColumnCodec.RICE_UNCERTAIN;
        int dataScale = dataScale(c);
        for (int comp = 1; comp <= 5; comp++) {
            doubles(c, comp);
            if (comp == 1 && dataScale > 0) {
                FloatColumnCodec.snapToScale(doubleScratch, n, dataScale);
            }
            rice |= FloatColumnCodec.encode(doubleScratch, n, sink, longScratch, allowRice) == LongColumnCodec.RICE_UNCERTAIN;
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
     * Writes the smaller of the body with RICE columns and the byte-aligned body, each zstd-compressed when
     * that pays. Rice wins on wide random deltas; varints + zstd win on narrow or repetitive ones.
     */
    private void emit(ByteSink out, BodyWriter writer) {
        body.clear();
        boolean rice = writer.write(body, true);
        if (!rice) {
            finish(out, body);
            return;
        }
        alt.clear();
        writer.write(alt, false);
        int mark = out.size();
        finish(out, alt);
        int altLength = out.size() - mark;
        finish(out, body);
        if (out.size() - mark - altLength < altLength) {
            byte[] b = out.array();
            System.arraycopy(b, mark + altLength, b, mark, out.size() - mark - altLength);
            out.truncate(out.size() - altLength);
        } else {
            out.truncate(mark + altLength);
        }
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
        int flags = in.getUnsignedByte();
        ByteSource b = in;
        if ((flags & FLAG_ZSTD) != 0) {
            int rawLen = in.getVarInt(64 << 20, "uncompressed block length");
            byte[] raw = new byte[rawLen];
            long got;
            try {
                got = Zstd.decompressByteArray(raw, 0, rawLen, in.array(), in.position(), in.remaining());
            } catch (RuntimeException e) {
                throw new CorruptDataException(in.source(), in.position(), "zstd block does not decompress: "
                        + e.getMessage(), e);
            }
            if (Zstd.isError(got) || got != rawLen) {
                throw in.corrupt("zstd block does not decompress to " + rawLen + " bytes (result=" + got + ")");
            }
            b = new ByteSource(raw, 0, rawLen, in.source() + "#zstd", in.position());
        } else if (flags != 0) {
            throw in.corrupt("unknown block flags " + flags);
        }
        int n = b.getVarInt(Math.min(MAX_ENTRIES, slotCount), "entry count");
        SlotColumns c = new SlotColumns(n, histogram);
        if (n == 0) {
            return c;
        }
        ensureScratch(n);
        int firstSlot = b.getVarInt(slotCount - 1, "first slot");
        int span = b.getVarInt(slotCount - 1 - firstSlot, "slot span");
        int dense = b.getUnsignedByte();
        int[] slots = new int[n];
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
        if (mode == MODE_SINGLE) {
            double[] v = new double[n];
            FloatColumnCodec.decode(b, v, n, longScratch);
            LongColumnCodec.decode(b, longScratch2, n);
            for (int i = 0; i < n; i++) {
                c.appendEntry(slots[i], 1, v[i], v[i], v[i], longScratch2[i], v[i], longScratch2[i], v[i],
                        histogram ? single(v[i]) : null);
            }
        } else if (mode == MODE_FULL) {
            long[] count = new long[n];
            LongColumnCodec.decode(b, count, n);
            double[][] comps = new double[5][n];
            for (int comp = 0; comp < 5; comp++) {
                FloatColumnCodec.decode(b, comps[comp], n, longScratch);
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
                c.appendEntry(slots[i], count[i], comps[0][i], comps[1][i], comps[2][i], fOff[i], comps[3][i], lOff[i],
                        comps[4][i], h);
            }
        } else {
            throw b.corrupt("unknown block mode " + mode);
        }
        return c;
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
