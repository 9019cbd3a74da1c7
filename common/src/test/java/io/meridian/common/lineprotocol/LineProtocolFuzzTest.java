package io.meridian.common.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated bodies: the parser never throws, terminates, and accounts for every line as valid,
 * skipped or bad, with errors that point inside the body.
 */
class LineProtocolFuzzTest {
    private static final String SEED_BODY = """
            # TSBS-like
            cpu,hostname=host_0,region=eu-west-1,path=C:\\\\x usage_user=58.1,usage_idle=2i,ok=true,n=3u 1451606400000000000
            wea\\,ther,loc\\ ation=us\\=mid temp\\=x=-1.5e-3,s="a \\"q\\" \\\\ b",b=F 1465839830100400200\r
            m v=1
            """;

    private static final byte[] ALPHABET =
            ",= \\\"\n\r#\t-+.eEiutfTF0123456789abc\u00c3".getBytes(StandardCharsets.ISO_8859_1);

    @Provide
    Arbitrary<byte[]> alphabetBodies() {
        return Arbitraries.of(toObjects(ALPHABET))
                .array(Byte[].class)
                .ofMaxSize(200)
                .map(LineProtocolFuzzTest::unbox);
    }

    @Property(tries = 2000)
    void randomBytesNeverThrow(@ForAll @Size(max = 300) byte[] body) {
        check(body);
    }

    @Property(tries = 2000)
    void protocolAlphabetNeverThrows(@ForAll("alphabetBodies") byte[] body) {
        check(body);
    }

    @Property(tries = 2000)
    void mutatedValidBodiesNeverThrow(@ForAll long seed) {
        check(mutate(SEED_BODY.getBytes(StandardCharsets.UTF_8), new Random(seed)));
    }

    @Test
    void manyMutationsFinishInTime() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random r = new Random(42);
            byte[] seed = SEED_BODY.repeat(4).getBytes(StandardCharsets.UTF_8);
            long valid = 0;
            long bad = 0;
            LineProtocolParser parser = new LineProtocolParser(
                    LineProtocolOptions.DEFAULTS.withValidateNames(false).withStringFields(StringFieldPolicy.SKIP));
            for (int i = 0; i < 20_000; i++) {
                byte[] body = mutate(seed, r);
                check(body);
                ParseResult res = parser.validate(body, 0, body.length, Precision.NANOSECONDS);
                valid += res.linesValid();
                bad += res.errorCount();
            }
            // the mutations must exercise both outcomes, or this test proves little
            assertThat(valid).isGreaterThan(10_000);
            assertThat(bad).isGreaterThan(10_000);
        });
    }

    @Test
    void seedBodyIsValidUnderSkip() {
        byte[] b = SEED_BODY.getBytes(StandardCharsets.UTF_8);
        ParseResult r = new LineProtocolParser(LineProtocolOptions.DEFAULTS
                        .withStringFields(StringFieldPolicy.SKIP)
                        .withValidateNames(false))
                .validate(b, 0, b.length, Precision.NANOSECONDS);
        assertThat(r.errors()).isEmpty();
        assertThat(r.linesValid()).isEqualTo(3);
    }

    private static void check(byte[] body) {
        for (LineProtocolOptions options : new LineProtocolOptions[] {
            LineProtocolOptions.DEFAULTS,
            LineProtocolOptions.DEFAULTS
                    .withValidateNames(false)
                    .withAtomic(false)
                    .withStringFields(StringFieldPolicy.SKIP)
        }) {
            int lines = 1;
            for (byte c : body) {
                lines += c == '\n' ? 1 : 0;
            }
            int[] delivered = {0};
            ParseResult r = new LineProtocolParser(options).parse(body, 0, body.length, Precision.NANOSECONDS, 0, v -> {
                assertThat(v.fieldCount()).isPositive();
                for (int i = 0; i < v.fieldCount(); i++) {
                    v.fieldKey(i).toString();
                }
                delivered[0]++;
            });
            assertThat(r.linesValid() + r.linesSkipped() + r.errorCount()).isEqualTo(r.linesRead());
            assertThat(r.linesRead()).isLessThanOrEqualTo(lines);
            assertThat(r.linesDelivered()).isEqualTo(delivered[0]);
            final int maxLine = lines;
            assertThat(r.errors()).allSatisfy(e -> {
                assertThat(e.line()).isBetween(1, maxLine);
                assertThat(e.column()).isBetween(1, body.length + 1);
                assertThat(e.reason()).isNotBlank();
            });
        }
    }

    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int n = 1 + r.nextInt(8);
        for (int k = 0; k < n; k++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(4)) {
                case 0 -> b[at] = ALPHABET[r.nextInt(ALPHABET.length)];
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> { // delete a byte
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c.length == 0 ? b : c;
                }
                default -> { // duplicate a slice
                    int len = r.nextInt(Math.min(16, b.length - at) + 1);
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
            }
        }
        return b;
    }

    private static Byte[] toObjects(byte[] a) {
        Byte[] o = new Byte[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i];
        }
        return o;
    }

    private static byte[] unbox(Byte[] a) {
        byte[] b = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }
}
