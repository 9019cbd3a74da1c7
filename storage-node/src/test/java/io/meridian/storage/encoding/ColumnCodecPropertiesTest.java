package io.meridian.storage.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** decode(encode(x)) = x for every column codec, with foreign bytes before and after the column. */
class ColumnCodecPropertiesTest {
    @Provide
    Arbitrary<long[]> longColumns() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-5, 5), Arbitraries.just(7L))
                .array(long[].class)
                .ofMaxSize(300);
    }

    @Provide
    Arbitrary<double[]> doubleColumns() {
        Arbitrary<Double> decimals =
                Arbitraries.integers().between(-100_000, 100_000).map(i -> i / 100.0);
        Arbitrary<Double> any = Arbitraries.longs().map(Double::longBitsToDouble);
        return Arbitraries.oneOf(decimals, any, Arbitraries.doubles(), Arbitraries.just(-0.0))
                .array(double[].class)
                .ofMaxSize(300);
    }

    @Property
    void longColumnsRoundTrip(@ForAll("longColumns") long[] values) {
        ByteSink out = new ByteSink().put((byte) 0x5A);
        LongColumnCodec.encode(values, values.length, out);
        out.put((byte) 0xA5);
        ByteSource in = new ByteSource(out.toArray(), "test");
        assertThat(in.get()).isEqualTo((byte) 0x5A);
        long[] back = new long[values.length];
        LongColumnCodec.decode(in, back, values.length);
        assertThat(back).containsExactly(values);
        assertThat(in.get()).isEqualTo((byte) 0xA5);
        assertThat(in.hasRemaining()).isFalse();
    }

    @Property
    void floatColumnsRoundTripBitForBit(@ForAll("doubleColumns") double[] values) {
        ByteSink out = new ByteSink().put((byte) 0x5A);
        FloatColumnCodec.encode(values, values.length, out, new long[values.length]);
        out.put((byte) 0xA5);
        ByteSource in = new ByteSource(out.toArray(), "test");
        in.get();
        double[] back = new double[values.length];
        FloatColumnCodec.decode(in, back, values.length, new long[values.length]);
        for (int i = 0; i < values.length; i++) {
            assertThat(Double.doubleToRawLongBits(back[i]))
                    .as("value %d", i)
                    .isEqualTo(Double.doubleToRawLongBits(values[i]));
        }
        assertThat(in.get()).isEqualTo((byte) 0xA5);
    }

    @Property
    void aPrefixOfALongColumnIsItsFirstValuesAndEndsAfterTheColumn(
            @ForAll("longColumns") long[] values, @ForAll @IntRange(max = 300) int wanted) {
        int m = Math.min(wanted, values.length);
        ByteSink out = new ByteSink();
        LongColumnCodec.encode(values, values.length, out);
        out.put((byte) 0xA5);
        ByteSource in = new ByteSource(out.toArray(), "test");
        long[] back = new long[values.length];
        LongColumnCodec.decode(in, back, values.length, m);
        assertThat(Arrays.copyOf(back, m)).containsExactly(Arrays.copyOf(values, m));
        assertThat(in.get()).as("the source is left after the whole column").isEqualTo((byte) 0xA5);
    }

    @Property
    void aPrefixOfAFloatColumnIsItsFirstValuesAndEndsAfterTheColumn(
            @ForAll("doubleColumns") double[] values, @ForAll @IntRange(max = 300) int wanted) {
        int m = Math.min(wanted, values.length);
        ByteSink out = new ByteSink();
        FloatColumnCodec.encode(values, values.length, out, new long[values.length]);
        out.put((byte) 0xA5);
        ByteSource in = new ByteSource(out.toArray(), "test");
        double[] back = new double[values.length];
        FloatColumnCodec.decode(in, back, values.length, m, new long[values.length]);
        for (int i = 0; i < m; i++) {
            assertThat(Double.doubleToRawLongBits(back[i]))
                    .as("value %d", i)
                    .isEqualTo(Double.doubleToRawLongBits(values[i]));
        }
        assertThat(in.get()).as("the source is left after the whole column").isEqualTo((byte) 0xA5);
    }

    /** Regression: 75.95520546334801 is exact at scale 14 but not at the column's final scale 15. */
    @net.jqwik.api.Example
    void aValueExactAtASmallerScaleStaysExact() {
        floatColumnsRoundTripBitForBit(new double[] {75.95520546334801, 1e-15, 3.5});
    }

    @Property
    void twoDecimalRandomWalksCostAboutOneByteAValue(@ForAll long seed) {
        Random r = new Random(seed);
        double[] v = new double[1000];
        double x = 50;
        for (int i = 0; i < v.length; i++) {
            x = Math.max(0, Math.min(100, x + r.nextGaussian()));
            v[i] = Math.rint(x * 100) / 100;
        }
        ByteSink out = new ByteSink();
        FloatColumnCodec.encode(v, v.length, out, new long[v.length]);
        assertThat(out.size()).isLessThan(2 * v.length);
    }
}
