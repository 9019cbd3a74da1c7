package io.meridian.storage.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.CorruptDataException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The Rice bit stream for every parameter: codes that fit the reader's 64-bit window, codes that straddle a refill,
 * escapes, and the last few bytes of a stream (read byte by byte); a stream cut short is refused, not misread.
 */
class RiceCoderTest {
    @Provide
    Arbitrary<long[]> zigzags() {
        return Arbitraries.oneOf(
                        Arbitraries.longs().between(0, 3),
                        Arbitraries.longs().between(0, 5_000),
                        Arbitraries.longs().between(0, 1L << 40),
                        Arbitraries.longs())
                .array(long[].class)
                .ofMaxSize(400);
    }

    @Property
    void everyParameterRoundTrips(@ForAll("zigzags") long[] z, @ForAll @IntRange(max = RiceCoder.MAX_K) int k) {
        ByteSink out = new ByteSink().put((byte) 0x5A).putVarLong(7);
        RiceCoder.encode(z, 0, z.length, k, out);
        out.put((byte) 0xA5);
        ByteSource in = new ByteSource(out.toArray(), "test");
        in.get();
        long[] back = new long[z.length + 1];
        back[0] = in.getVarLong();
        RiceCoder.decode(in, back, 1, z.length + 1);
        for (int i = 0; i < z.length; i++) {
            assertThat(back[i + 1]).as("value %d of %d, k=%d", i, z.length, k).isEqualTo(z[i]);
        }
        assertThat(in.get()).isEqualTo((byte) 0xA5);
        assertThat(in.hasRemaining()).isFalse();
    }

    @Example
    void aStreamCutShortIsCorrupt() {
        long[] z = new long[100];
        for (int i = 0; i < z.length; i++) {
            z[i] = i * 37L % 1000;
        }
        ByteSink out = new ByteSink();
        RiceCoder.encode(z, 0, z.length, 6, out);
        byte[] bytes = out.toArray();
        // keep k and the byte length, but claim 10 values more than were written
        long[] back = new long[z.length + 10];
        assertThatThrownBy(() -> RiceCoder.decode(new ByteSource(bytes, "cut"), back, 0, back.length))
                .isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("rice bit stream ends early");
    }

    @Example
    void anUnterminatedEscapeIsCorrupt() {
        ByteSink out = new ByteSink().put((byte) 0).putVarInt(16);
        for (int i = 0; i < 16; i++) {
            out.put((byte) 0xFF);
        }
        assertThatThrownBy(() -> RiceCoder.decode(new ByteSource(out.toArray(), "ones"), new long[1], 0, 1))
                .isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("rice escape not terminated");
    }
}
