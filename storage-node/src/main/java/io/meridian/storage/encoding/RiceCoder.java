package io.meridian.storage.encoding;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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
            bits += escaped(q) ? ESCAPE_QUOTIENT + 1 + 64 : q + 1 + k;
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

    /**
     * Whether a quotient is written as an escape: a large one, or one that is negative as a signed long (k = 0 and
     * the value's top bit set; before this was checked, such a value was written as a broken code).
     */
    private static boolean escaped(long q) {
        return q < 0 || q >= ESCAPE_QUOTIENT;
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
            if (escaped(q)) {
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

    /**
     * Words of the bit stream, read in the machine's order and byte-swapped by {@link #word} (a big-endian view
     * left a call to {@code Unsafe.convEndian} in every read: measured, a fifth of the decode).
     */
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The eight bytes at {@code at} as a big-endian word: bit 0 of the stream there is bit 63. */
    private static long word(byte[] buf, int at) {
        return Long.reverseBytes((long) LONG_LE.get(buf, at));
    }

    /**
     * Decodes {@code n - from} values. While eight bytes of the stream remain at the position, a big-endian word is
     * loaded at its byte (unaligned) and every code that fits it is read from it: one count of leading ones and
     * three shifts a value, with no load on the chain from one value to the next. Escapes, codes longer than a
     * word's 57 sure bits and the stream's last bytes go through {@link BitReader}.
     */
    static void decode(ByteSource in, long[] dst, int from, int n) {
        int k = in.getUnsignedByte();
        if (k > MAX_K) {
            throw in.corrupt("rice parameter out of range: got " + k + "; want 0.." + MAX_K);
        }
        int bytes = in.getVarInt(in.remaining(), "rice byte length");
        byte[] buf = in.array();
        int start = in.position();
        int end = start + bytes;
        in.skip(bytes); // bounds-checked: [start, end) lies inside the source
        long bit = (long) start << 3;
        long wordLimit = (long) (end - (Long.BYTES - 1)) << 3; // a word at byte (bit >>> 3) ends within the stream
        int i = from;
        while (i < n && bit < wordLimit) {
            int valid = 64 - (int) (bit & 7); // at least 57
            long w = word(buf, (int) (bit >>> 3)) << (bit & 7); // the bits below the valid ones are zero
            int first = i;
            while (i < n) { // every code that fits the word, without a load on the dependency chain
                int ones = Long.numberOfLeadingZeros(~w);
                int length = ones + 1 + k;
                if (length > valid || ones >= ESCAPE_QUOTIENT) {
                    break;
                }
                // the k bits after the terminating zero; ">>> 1 >>> (63 - k)" is 0 for k = 0, unlike ">>> (64 - k)"
                dst[i++] = ((long) ones << k) | ((w << (ones + 1)) >>> 1 >>> (63 - k));
                w = length == 64 ? 0 : w << length;
                valid -= length;
                bit += length;
            }
            if (i == first) {
                break; // an escape, or a code longer than a word: the reader takes it
            }
        }
        if (i < n) {
            BitReader r = new BitReader(in, buf, (int) (bit >>> 3), end);
            r.skip((int) (bit & 7));
            for (; i < n; i++) {
                dst[i] = r.value(k);
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
     * MSB-first bit reader over a byte range, for what {@link #decode}'s word loop leaves: escapes, long codes and
     * the stream's last bytes. A left-aligned 64-bit window makes a unary run one {@code numberOfLeadingZeros}; bits
     * of the window below {@code avail} are always zero. Refilled a whole word at a time while eight bytes remain.
     * Bounds-checked.
     */
    private static final class BitReader {
        private final ByteSource in;
        private final byte[] buf;
        private final int end;
        private int pos;
        private long window;
        private int avail;

        /** Reads {@code buf[pos, end)}; {@code in} names the source in errors. */
        BitReader(ByteSource in, byte[] buf, int pos, int end) {
            this.in = in;
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        /** Skips the first {@code bits} (0..7) bits of the first byte. */
        void skip(int bits) {
            refill();
            if (avail < bits) {
                throw in.corrupt("rice bit stream ends early");
            }
            consume(bits);
        }

        /** One Rice-coded value with parameter {@code k}: quotient in unary, then k low bits (or an escape). */
        long value(int k) {
            if (avail < 56) {
                refill();
            }
            int ones = Long.numberOfLeadingZeros(~window);
            int length = ones + 1 + k;
            if (length <= avail && ones < ESCAPE_QUOTIENT) { // the whole code is in the window
                // k > 0 implies ones + 1 < 64, so the shift below is in range
                long low = k == 0 ? 0 : (window << (ones + 1)) >>> (64 - k);
                consume(length);
                return ((long) ones << k) | low;
            }
            int q = unary(ESCAPE_QUOTIENT);
            if (q == ESCAPE_QUOTIENT) {
                return (read(32) << 32) | read(32);
            }
            return ((long) q << k) | (k == 0 ? 0 : read(k));
        }

        private void refill() {
            if (avail < 56 && end - pos >= Long.BYTES) {
                int take = (63 - avail) >>> 3; // whole bytes that fit below the valid bits: 1..7
                int bits = take << 3;
                long next = word(buf, pos);
                window |= (next >>> (64 - bits)) << (64 - bits - avail);
                pos += take;
                avail += bits;
                return;
            }
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
