package io.meridian.common.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The fast float path agrees bit for bit with {@link Double#parseDouble}; integers are exact. */
class NumberScannerTest {
    private final NumberScanner scanner = new NumberScanner();

    private double parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        assertThat(scanner.scan(b, 0, b.length)).as(s).isEqualTo(NumberScanner.OK);
        return scanner.value;
    }

    @Property
    void doubleToStringParsesBack(@ForAll double d) {
        if (Double.isFinite(d)) {
            assertThat(Double.doubleToRawLongBits(parse(Double.toString(d)))).isEqualTo(Double.doubleToRawLongBits(d));
        }
    }

    @Property
    void decimalsMatchParseDouble(
            @ForAll @LongRange(min = -999_999_999_999_999_999L) long mantissa,
            @ForAll @IntRange(min = -30, max = 30) int scale) {
        String s = new BigDecimal(BigInteger.valueOf(mantissa), scale).toPlainString();
        assertThat(parse(s)).as(s).isEqualTo(Double.parseDouble(s));
        String e = mantissa + "e" + scale;
        assertThat(parse(e)).as(e).isEqualTo(Double.parseDouble(e));
    }

    @Property
    void integersAreExact(@ForAll long v) {
        byte[] b = (v + "i").getBytes(StandardCharsets.US_ASCII);
        assertThat(scanner.scan(b, 0, b.length)).isEqualTo(NumberScanner.OK);
        assertThat(scanner.longValue).isEqualTo(v);
        b = (Long.toUnsignedString(v) + "u").getBytes(StandardCharsets.US_ASCII);
        assertThat(scanner.scan(b, 0, b.length)).isEqualTo(NumberScanner.OK);
        assertThat(scanner.longValue).isEqualTo(v);
        assertThat(scanner.value).isEqualTo(new BigDecimal(Long.toUnsignedString(v)).doubleValue());
    }
}
