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
 * </pre>
 *
 * The element count is not stored: the block header knows it.
 */
public final class LongColumnCodec {
    public static final int CONSTANT = 0;
    public static final int DELTA = 1;
    public static final int DELTA2 = 2;

    private LongColumnCodec() {}

    public static void encode(long[] values, int n, ByteSink out) {
        if (n == 0) {
            out.put((byte) CONSTANT).putZigZag(0);
            return;
        }
        boolean constant = true;
        long deltaBytes = 0;
        long delta2Bytes = 0;
        long prev = values[0];
        long prevDelta = 0;
        for (int i = 1; i < n; i++) {
            long d = values[i] - prev;
            constant &= d == 0;
            deltaBytes += zigZagSize(d);
            delta2Bytes += zigZagSize(i == 1 ? d : d - prevDelta);
            prevDelta = d;
            prev = values[i];
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
    }

    public static void decode(ByteSource in, long[] dst, int n) {
        int kind = in.getUnsignedByte();
        if (n == 0) {
            in.getZigZag();
            return;
        }
        switch (kind) {
            case CONSTANT -> {
                long v = in.getZigZag();
                for (int i = 0; i < n; i++) {
                    dst[i] = v;
                }
            }
            case DELTA -> {
                long v = in.getZigZag();
                dst[0] = v;
                for (int i = 1; i < n; i++) {
                    v += in.getZigZag();
                    dst[i] = v;
                }
            }
            case DELTA2 -> {
                long v = in.getZigZag();
                dst[0] = v;
                long d = 0;
                for (int i = 1; i < n; i++) {
                    d = i == 1 ? in.getZigZag() : d + in.getZigZag();
                    v += d;
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
