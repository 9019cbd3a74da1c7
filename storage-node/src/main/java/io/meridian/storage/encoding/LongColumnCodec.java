package io.meridian.storage.encoding;

/**
 * Encodes a column of longs (counts, timestamp offsets, decimal mantissas). The encoder picks the
 * smallest of three layouts:
 *
 * <pre>
 * column   := kind:u8 body
 * CONSTANT := value:zigzag                                  (every element equal)
 * DELTA    := first:zigzag (v[i]-v[i-1]:zigzag)*            (random walks, gauges)
 * DELTA2   := first:zigzag d1:zigzag (d[i]-d[i-1]:zigzag)*  (counters, regular timestamps)
 * RICE     := first:zigzag rice(zigzag(v[i]-v[i-1]) for i >= 1)   (see {@link RiceCoder})
 * </pre>
 *
 * <p>Wide deltas (Rice parameter of at least {@link #RICE_MIN_K}, e.g. two-decimal gauges) take RICE:
 * bit-exact near-entropy coding that the block's zstd cannot improve. Narrow deltas stay byte-aligned
 * varints, which zstd squeezes better than Rice would.
 *
 * The element count is not stored: the block header knows it.
 */
public final class LongColumnCodec {
    public static final int CONSTANT = 0;
    public static final int DELTA = 1;
    public static final int DELTA2 = 2;
    public static final int RICE = 3;
    /** Smallest Rice parameter for which RICE is chosen over varints. */
    static final int RICE_MIN_K = 3;
    /**
     * From this Rice parameter on, deltas are so wide that varints + zstd cannot win, so the block codec
     * skips building the byte-aligned alternative.
     */
    static final int RICE_CONFIDENT_K = 5;
    /** {@link #encode} results. */
    public static final int NO_RICE = 0;

    public static final int RICE_UNCERTAIN = 1;
    public static final int RICE_CONFIDENT = 2;

    private LongColumnCodec() {}

    public static void encode(long[] values, int n, ByteSink out) {
        encode(values, n, out, true);
    }

    /**
     * Encodes; with {@code allowRice} false only byte-aligned kinds are used (the block codec tries both and
     * keeps whichever is smaller after zstd).
     * @return {@link #NO_RICE}, or whether RICE was written with a parameter that makes it a sure win
     */
    public static int encode(long[] values, int n, ByteSink out, boolean allowRice) {
        if (n == 0) {
            out.put((byte) CONSTANT).putZigZag(0);
            return NO_RICE;
        }
        boolean constant = true;
        long deltaBytes = 0;
        long delta2Bytes = 0;
        long prev = values[0];
        long prevDelta = 0;
        double zigZagSum = 0;
        for (int i = 1; i < n; i++) {
            long d = values[i] - prev;
            constant &= d == 0;
            zigZagSum += Math.abs((double) d) * 2;
            deltaBytes += zigZagSize(d);
            delta2Bytes += zigZagSize(i == 1 ? d : d - prevDelta);
            prevDelta = d;
            prev = values[i];
        }
        int k = allowRice && !constant && n >= 16 ? RiceCoder.estimateK(zigZagSum, n - 1) : -1;
        if (k >= RICE_MIN_K) {
            long[] z = new long[n];
            for (int i = 1; i < n; i++) {
                long d = values[i] - values[i - 1];
                z[i] = (d << 1) ^ (d >> 63);
            }
            long bits = RiceCoder.bits(z, 1, n, k);
            if (bits / 8 < deltaBytes) {
                out.put((byte) RICE).putZigZag(values[0]);
                RiceCoder.encode(z, 1, n, k, bits, out);
                return k >= RICE_CONFIDENT_K ? RICE_CONFIDENT : RICE_UNCERTAIN;
            }
        }
        if (constant) {
            out.put((byte) CONSTANT).putZigZag(values[0]);
        } else if (delta2Bytes < deltaBytes) {
            out.put((byte) DELTA2).putZigZag(values[0]);
            long pd = 0;
            for (int i = 1; i < n; i++) {
                long d = values[i] - values[i - 1];
                out.putZigZag(i == 1 ? d : d - pd);
                pd = d;
            }
        } else {
            out.put((byte) DELTA).putZigZag(values[0]);
            for (int i = 1; i < n; i++) {
                out.putZigZag(values[i] - values[i - 1]);
            }
        }
        return NO_RICE;
    }

    public static void decode(ByteSource in, long[] dst, int n) {
        decode(in, dst, n, n);
    }

    /**
     * Decodes the first {@code m} of the column's {@code n} values into {@code dst} and leaves {@code in} after the
     * whole column: a scan that needs a block's entries only up to its range's end reads no further (a RICE column
     * is skipped by its byte length, varints one by one).
     */
    public static void decode(ByteSource in, long[] dst, int n, int m) {
        int kind = in.getUnsignedByte();
        if (n == 0) {
            in.getZigZag();
            return;
        }
        switch (kind) {
            case CONSTANT -> {
                long v = in.getZigZag();
                for (int i = 0; i < m; i++) {
                    dst[i] = v;
                }
            }
            case DELTA -> {
                long v = in.getZigZag();
                if (m > 0) {
                    dst[0] = v;
                }
                for (int i = 1; i < m; i++) {
                    v += in.getZigZag();
                    dst[i] = v;
                }
                in.skipVarLongs(n - Math.max(1, m));
            }
            case DELTA2 -> {
                long v = in.getZigZag();
                if (m > 0) {
                    dst[0] = v;
                }
                long d = 0;
                for (int i = 1; i < m; i++) {
                    d = i == 1 ? in.getZigZag() : d + in.getZigZag();
                    v += d;
                    dst[i] = v;
                }
                in.skipVarLongs(n - Math.max(1, m));
            }
            case RICE -> {
                long v = in.getZigZag();
                if (m > 0) {
                    dst[0] = v;
                }
                RiceCoder.decode(in, dst, 1, Math.max(1, m)); // leaves in after the whole bit stream
                for (int i = 1; i < m; i++) {
                    long z = dst[i];
                    v += (z >>> 1) ^ -(z & 1);
                    dst[i] = v;
                }
            }
            default -> throw in.corrupt("unknown long column kind " + kind);
        }
    }

    static int zigZagSize(long v) {
        long z = (v << 1) ^ (v >> 63);
        int bits = 64 - Long.numberOfLeadingZeros(z | 1);
        return (bits + 6) / 7;
    }
}
