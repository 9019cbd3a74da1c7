package io.meridian.storage.encoding;

/**
 * Encodes a column of doubles. Real metrics are mostly decimals with few digits (percentages, two-decimal
 * gauges, integers), so the first choice is VictoriaMetrics' idea: find the smallest decimal scale s (0..15)
 * such that every value is exactly {@code m / 10^s} with an integral mantissa m below 2^53, then store the
 * mantissas with {@link LongColumnCodec} (delta or delta-of-delta, zigzag varints). A random walk with
 * steps of a few units costs about one byte per value before the block's general-purpose codec (zstd)
 * squeezes it further. Values that are not short decimals (e.g. results of divisions) fall back to
 * Gorilla-style XOR with the previous value, written as a zigzag varint of the XOR's top bytes.
 *
 * <pre>
 * column  := kind:u8 body
 * DECIMAL := scale:u8 mantissas:LongColumn
 * XOR     := first:u64 (xor[i] as: lead:u8 bytes...)*   where xor[i] = bits(v[i]) ^ bits(v[i-1]);
 *            lead = number of leading zero bytes (0..8); the remaining 8-lead bytes follow, most
 *            significant first
 * </pre>
 */
public final class FloatColumnCodec {
    public static final int DECIMAL = 0;
    public static final int XOR = 1;
    public static final int MAX_SCALE = 15;
    private static final double[] POW10 = new double[MAX_SCALE + 1];
    private static final long MAX_MANTISSA = 1L << 53;

    static {
        for (int i = 0; i <= MAX_SCALE; i++) {
            POW10[i] = Math.pow(10, i);
        }
    }

    private FloatColumnCodec() {}

    public static void encode(double[] values, int n, ByteSink out, long[] scratch) {
        encode(values, n, out, scratch, true);
    }

    /** See {@link LongColumnCodec#encode(long[], int, ByteSink, boolean)}; returns its RICE result. */
    public static int encode(double[] values, int n, ByteSink out, long[] scratch, boolean allowRice) {
        int scale = decimalScale(values, n, scratch);
        if (scale >= 0) {
            out.put((byte) DECIMAL).put((byte) scale);
            return LongColumnCodec.encode(scratch, n, out, allowRice);
        }
        out.put((byte) XOR);
        long prev = n == 0 ? 0 : Double.doubleToRawLongBits(values[0]);
        out.putLong(prev);
        for (int i = 1; i < n; i++) {
            long bits = Double.doubleToRawLongBits(values[i]);
            long x = bits ^ prev;
            int lead = Long.numberOfLeadingZeros(x) / 8;
            out.put((byte) lead);
            for (int b = 7 - lead; b >= 0; b--) {
                out.put((byte) (x >>> (8 * b)));
            }
            prev = bits;
        }
        return LongColumnCodec.NO_RICE;
    }

    public static void decode(ByteSource in, double[] dst, int n, long[] scratch) {
        decode(in, dst, n, n, scratch);
    }

    /**
     * Decodes the first {@code m} of the column's {@code n} values into {@code dst} and leaves {@code in} after the
     * whole column ({@link LongColumnCodec#decode(ByteSource, long[], int, int)}).
     */
    public static void decode(ByteSource in, double[] dst, int n, int m, long[] scratch) {
        int kind = in.getUnsignedByte();
        if (kind == DECIMAL) {
            int scale = in.getUnsignedByte();
            if (scale > MAX_SCALE) {
                throw in.corrupt("decimal scale out of range: got " + scale + "; want 0.." + MAX_SCALE);
            }
            LongColumnCodec.decode(in, scratch, n, m);
            if (scale == 0) {
                for (int i = 0; i < m; i++) {
                    dst[i] = scratch[i];
                }
            } else {
                double p = POW10[scale]; // a division, not a multiplication by 1/p: the decoded value is exact
                for (int i = 0; i < m; i++) {
                    dst[i] = scratch[i] / p;
                }
            }
        } else if (kind == XOR) {
            long prev = in.getLong();
            if (m > 0) {
                dst[0] = Double.longBitsToDouble(prev);
            }
            for (int i = 1; i < n; i++) {
                int lead = in.getUnsignedByte();
                if (lead > 8) {
                    throw in.corrupt("xor lead byte count out of range: got " + lead + "; want 0..8");
                }
                if (i >= m) {
                    in.skip(8 - lead);
                    continue;
                }
                long x = 0;
                for (int b = 7 - lead; b >= 0; b--) {
                    x |= (long) in.getUnsignedByte() << (8 * b);
                }
                prev ^= x;
                dst[i] = Double.longBitsToDouble(prev);
            }
        } else {
            throw in.corrupt("unknown float column kind " + kind);
        }
    }

    /** Largest error, in units of the last decimal place, that {@link #snapToScale} treats as accumulation noise. */
    static final double SNAP_TOLERANCE_UNITS = 1e-3;
    /** Scaled magnitudes below 2^43 have an ulp of at most 2^-10, finer than {@link #SNAP_TOLERANCE_UNITS}. */
    private static final double MAX_SNAP_SCALED = 0x1p43;

    /**
     * Snaps sums accumulated in floating point back onto the decimal grid of their inputs: when every value is
     * within {@link #SNAP_TOLERANCE_UNITS} of a unit in the last place of a decimal at {@code scale}, each is
     * replaced by the double nearest that decimal, so the column compresses as decimals instead of XOR.
     * (Thirty two-decimal gauges summed in a 5 m rollup slot give e.g. 1370.0999999999999 for 1370.1.)
     * Changes nothing and returns false otherwise.
     */
    public static boolean snapToScale(double[] values, int n, int scale) {
        if (scale < 0 || scale > MAX_SCALE) {
            return false;
        }
        double p = POW10[scale];
        for (int i = 0; i < n; i++) {
            double scaled = values[i] * p;
            // only where a double resolves the tolerance: near 2^53 one ulp of `scaled` is a whole unit, and
            // "snapping" would just move an exact sum by an ulp (a property test found 242.60481803012868)
            if (!(Math.abs(scaled) < MAX_SNAP_SCALED) || Math.abs(scaled - Math.rint(scaled)) > SNAP_TOLERANCE_UNITS) {
                return false;
            }
        }
        for (int i = 0; i < n; i++) {
            double m = Math.rint(values[i] * p);
            values[i] = scale == 0 ? m : m / p;
        }
        return true;
    }

    /**
     * Fills {@code out} with the mantissas of the values at {@code scale} when every value is exactly
     * {@code m / 10^scale}; returns false otherwise.
     */
    public static boolean mantissasAt(double[] values, int n, int scale, long[] out) {
        if (scale < 0 || scale > MAX_SCALE) {
            return false;
        }
        double p = POW10[scale];
        for (int i = 0; i < n; i++) {
            double v = values[i];
            double scaled = v * p;
            if (!(Math.abs(scaled) < MAX_MANTISSA) || Double.doubleToRawLongBits(v) == Long.MIN_VALUE) {
                return false;
            }
            long m = Math.round(scaled);
            if ((scale == 0 ? (double) m : m / p) != v) {
                return false;
            }
            out[i] = m;
        }
        return true;
    }

    /** {@code m / 10^scale} as the decoder of a DECIMAL column computes it. */
    public static double fromMantissa(long m, int scale) {
        return scale == 0 ? m : m / POW10[scale];
    }

    /** The smallest decimal scale (0..15) at which all values are exact, or -1. */
    public static int decimalScaleOf(double[] values, int n) {
        return decimalScale(values, n);
    }

    /** The smallest scale at which all values are exact decimals, or -1. */
    static int decimalScale(double[] values, int n) {
        return decimalScale(values, n, new long[n]);
    }

    /**
     * The smallest scale at which all values are exact decimals, or -1; on success {@code mantissas} holds
     * the values scaled to it.
     */
    static int decimalScale(double[] values, int n, long[] mantissas) {
        int scale = 0;
        for (int i = 0; i < n; i++) {
            double v = values[i];
            while (true) {
                double p = POW10[scale];
                double scaled = v * p;
                if (Math.abs(scaled) < MAX_MANTISSA) {
                    long m = Math.round(scaled);
                    if ((scale == 0 ? (double) m : m / p) == v && Double.doubleToRawLongBits(v) != Long.MIN_VALUE) {
                        break;
                    }
                } else {
                    return -1;
                }
                if (++scale > MAX_SCALE) {
                    return -1;
                }
            }
        }
        // a value exact at a smaller scale is not always exact at the final one (m / 10^s rounds differently)
        double p = POW10[scale];
        for (int i = 0; i < n; i++) {
            double v = values[i];
            long m = Math.round(v * p);
            if ((scale == 0 ? (double) m : m / p) != v) {
                return -1;
            }
            mantissas[i] = m;
        }
        return scale;
    }
}
