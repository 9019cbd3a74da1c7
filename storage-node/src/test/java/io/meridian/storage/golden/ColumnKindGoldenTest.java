package io.meridian.storage.golden;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.encoding.FloatColumnCodec;
import io.meridian.storage.encoding.LongColumnCodec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes of every column kind of FORMAT.md (part format v2): each input below is one the encoder
 * maps to exactly one kind, and decoding the pinned bytes must give the input back. A failure means the
 * format of a column kind changed: that needs a new part format version, not new hex strings.
 */
class ColumnKindGoldenTest {
    private static String longs(long... v) {
        ByteSink s = new ByteSink();
        LongColumnCodec.encode(v, v.length, s);
        long[] back = new long[v.length];
        LongColumnCodec.decode(new ByteSource(s.toArray(), "golden"), back, v.length);
        assertThat(back).containsExactly(v);
        return HexFormat.of().formatHex(s.toArray());
    }

    @Test
    void constantDeltaAndDelta2() {
        // CONSTANT: kind 00, zz(7)=0e
        assertThat(longs(7, 7, 7)).isEqualTo("000e");
        // DELTA: first zz(1)=02, deltas +2 -1 +4 -> zz 04 01 08
        assertThat(longs(1, 3, 2, 6)).isEqualTo("0102040108");
        // DELTA2: first zz(1000)=d00f, d1 zz(300)=d804, then delta-of-delta 0 0 0
        assertThat(longs(1000, 1300, 1600, 1900, 2200)).isEqualTo("02d00fd804000000");
    }

    @Test
    void riceForWideDeltas() {
        long[] v = new long[16];
        for (int i = 1; i < v.length; i++) {
            v[i] = v[i - 1] + ((i % 2 == 0) ? 200 : -150);
        }
        String hex = longs(v);
        assertThat(hex).startsWith("03" + "00");
        assertThat(hex).isEqualTo(RICE_HEX);
    }

    @Test
    void decimalAndXorFloats() {
        ByteSink s = new ByteSink();
        FloatColumnCodec.encode(new double[] {1.25, 1.5}, 2, s, new long[2]);
        // DECIMAL scale 2, mantissas 125 150 as DELTA: zz(125)=fa01, zz(25)=32
        assertThat(HexFormat.of().formatHex(s.toArray())).isEqualTo("000201fa0132");
        ByteSink x = new ByteSink();
        double third = 1.0 / 3;
        FloatColumnCodec.encode(new double[] {0.1 + 0.2, third}, 2, x, new long[2]);
        double[] back = new double[2];
        FloatColumnCodec.decode(new ByteSource(x.toArray(), "golden"), back, 2, new long[2]);
        assertThat(back).containsExactly(0.1 + 0.2, third);
        assertThat(HexFormat.of().formatHex(x.toArray())).isEqualTo(XOR_HEX);
    }

    /**
     * RICE, k = 8, 19 bytes: deltas -150/+200 are zz 299/400, each "10" (q = 1) then the low 8 bits
     * (0x2b, 0x90): 10 00101011 10 10010000 ... = 8a e9 08 ae 90 ...
     */
    static final String RICE_HEX = "030008138ae908ae908ae908ae908ae908ae908ae908ac";
    /**
     * XOR: 0.30000000000000004 and 1/3 are no short decimals. Kind 01, first value's bits little-endian, then
     * lead = 1 zero byte of the XOR and its remaining 7 bytes most significant first.
     */
    static final String XOR_HEX = "01343333333333d33f0106666666666661";
}
