package io.meridian.storage.encoding;

/**
 * Golomb-Rice coding of non-negative longs (zigzag-mapped deltas): value z is written as the quotient
 * {@code q = z >>> k} in unary (q one-bits, then a zero) followed by the low {@code k} bits. For the
 * Laplace- or Gaussian-like deltas of metrics this costs within a few percent of the entropy, where
 * byte-aligned varints waste up to a byte per value (two-decimal gauges: about 1.1 bytes per value instead
 * of 1.25 with varint + zstd). Quotients of at least {@link #ESCAPE_QUOTIENT} are escaped: that many ones,
 * a zero, then the value as a 64-bit literal, so adversarial input cannot produce huge unary runs.
 *
 * <pre>
 * rice := k:u8 byteLength:varint bits:byte{byteLength}     bits are MSB-first within each byte
 * </pre>
 */
final class RiceCoder {
    static final int MAX_K = 62;
    static final int ESCAPE_QUOTIENT = 48;

    private RiceCoder() {}

    /** Exact encoded bit count of {@code z[0..n)} with parameter {@code k}. */
    static long bits(long[] z, int from, int n, int k) {
        long bits = 0;
        for (int i = from; i < n; i++) {
            long q = z[i] >>> k;
            bits += q >= ESCAPE_QUOTIENT ? ESCAPE_QUOTIENT + 1 + 64 : q + 1 + k;
        }
        return bits;
    }

    /**
     * The k minimising the estimated size {@code count * (k + 1) + sum / 2^k} (unary part approximated by
     * the mean): one pass over the data, done by the caller, instead of one per candidate k.
     */
    static int estimateK(double sum, int count) {
        if (count <= 0) {
            return 0;
        }
        int best = 0;
        double bestCost = Double.MAX_VALUE;
        for (int k = 0; k <= MAX_K; k++) {
            double cost = (double) count * (k + 1) + sum / Math.pow(2, k);
            if (cost < bestCost) {
                bestCost = cost;
                best = k;
            } else if (cost > bestCost * 2) {
                break;
            }
        }
        return best;
    }

    static void encode(long[] z, int from, int n, int k, ByteSink out) {
        encode(z, from, n, k, bits(z, from, n, k), out);
    }

    /** Encodes when the exact bit count (from {@link #bits}) is already known. */
    static void encode(long[] z, int from, int n, int k, long totalBits, ByteSink out) {
        int bytes = (int) ((totalBits + 7) / 8);
        out.put((byte) k).putVarInt(bytes);
        BitWriter w = new BitWriter(out);
        for (int i = from; i < n; i++) {
            long q = z[i] >>> k;
            if (q >= ESCAPE_QUOTIENT) {
                w.ones(ESCAPE_QUOTIENT);
                w.write(0, 1);
                w.write(z[i] >>> 32, 32);
                w.write(z[i] & 0xFFFFFFFFL, 32);
            } else {
                w.ones((int) q);
                w.write(0, 1);
                if (k > 0) {
                    w.write(z[i] & ((1L << k) - 1), k);
                }
            }
        }
        w.flush();
    }

    static void decode(ByteSource in, long[] dst, int from, int n) {
        int k = in.getUnsignedByte();
        if (k > MAX_K) {
            throw in.corrupt("rice parameter out of range: got " + k + "; want 0.." + MAX_K);
        }
        int bytes = in.getVarInt(in.remaining(), "rice byte length");
        BitReader r = new BitReader(in, bytes);
        for (int i = from; i < n; i++) {
            int q = r.unary(ESCAPE_QUOTIENT);
            if (q == ESCAPE_QUOTIENT) {
                dst[i] = (r.read(32) << 32) | r.read(32);
            } else {
                dst[i] = ((long) q << k) | (k == 0 ? 0 : r.read(k));
            }
        }
    }

    /** MSB-first bit writer over a {@link ByteSink}. */
    private static final class BitWriter {
        private final ByteSink out;
        private long acc;
        private int used;

        BitWriter(ByteSink out) {
            this.out = out;
        }

        void write(long value, int bits) {
            if (used + bits <= 56) {
                acc = (acc << bits) | (value & ((1L << bits) - 1));
                used += bits;
                while (used >= 8) {
                    out.put((byte) (acc >>> (used - 8)));
                    used -= 8;
                }
                acc &= (1L << used) - 1;
                return;
            }
            for (int remaining = bits; remaining > 0; ) {
                int take = Math.min(remaining, 56 - used);
                long chunk = (value >>> (remaining - take)) & ((1L << take) - 1);
                acc = (acc << take) | chunk;
                used += take;
                remaining -= take;
                while (used >= 8) {
                    out.put((byte) (acc >>> (used - 8)));
                    used -= 8;
                }
                acc &= (1L << used) - 1;
            }
        }

        void ones(int count) {
            while (count > 0) {
                int take = Math.min(count, 32);
                write((1L << take) - 1, take);
                count -= take;
            }
        }

        void flush() {
            if (used > 0) {
                out.put((byte) (acc << (8 - used)));
                used = 0;
                acc = 0;
            }
        }
    }

    /**
     * MSB-first bit reader over the next {@code bytes} bytes of a {@link ByteSource}, with a left-aligned
     * 64-bit window so a unary run is one {@code numberOfLeadingZeros}. Bounds-checked.
     */
    private static final class BitReader {
        private final ByteSource in;
        private final byte[] buf;
        private final int end;
        private int pos;
        private long window;
        private int avail;

        BitReader(ByteSource in, int bytes) {
            this.in = in;
            this.buf = in.array();
            this.pos = in.position();
            this.end = pos + bytes;
            in.skip(bytes);
        }

        private void refill() {
            while (avail <= 56 && pos < end) {
                window |= (buf[pos++] & 0xFFL) << (56 - avail);
                avail += 8;
            }
        }

        private void consume(int n) {
            window = n == 64 ? 0 : window << n;
            avail -= n;
        }

        int unary(int max) {
            int q = 0;
            while (true) {
                refill();
                if (avail == 0) {
                    throw in.corrupt("rice bit stream ends early");
                }
                int ones = Long.numberOfLeadingZeros(~window);
                if (ones < avail) {
                    q += ones;
                    if (q > max) {
                        throw in.corrupt("rice escape not terminated");
                    }
                    consume(ones + 1);
                    return q;
                }
                q += avail;
                if (q > max) {
                    throw in.corrupt("rice escape not terminated");
                }
                consume(avail);
            }
        }

        long read(int bits) {
            if (bits > 32) {
                long hi = read(bits - 32);
                return (hi << 32) | read(32);
            }
            refill();
            if (avail < bits) {
                throw in.corrupt("rice bit stream ends early");
            }
            long v = window >>> (64 - bits);
            consume(bits);
            return v;
        }
    }
}
