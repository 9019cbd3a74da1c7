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

    /** Lines that repeat their names, as writers send them, with duplicates, bad names and escapes among them. */
    private static final String REPEATED_NAMES_BODY = """
            cpu,host=a,dc=x usage=1,idle=2 1
            cpu,host=b,dc=x usage=1,idle=2 2
            cpu,host=b,host=x usage=1,idle=2 3
            cpu,host=c,dc=x usage=1,usage=2 4
            cpu,host=c,dc=x usage=1,dc=2 5
            cpu,host=c\\ d,dc=x usage=1,idle=2 6
            cpu,host=d,dc=x usage=1,s="t",idle=2 7
            cpu,host=d,dc=x usage=1,idle=2,idle=3 8
            cpu,host=e,dc=x,dc=y usage=1,idle=2 9
            cpu,host=e,dc=x usage=1,idle=2 10
            cpu,host=e,d/c=x usage=1,idle=2 11
            cpu,host=e,dc=x usage=1,i/dle=2 12
            """;

    /**
     * A line's verdict (delivered as what, or refused where and why) does not depend on the lines before it, although
     * the parser compares a line's names with the last good line's instead of checking them again ({@link KnownNames}).
     */
    @Property(tries = 3000)
    void aLineIsJudgedAsIfItWereAlone(@ForAll long seed) {
        byte[] body = mutate(REPEATED_NAMES_BODY.repeat(2).getBytes(StandardCharsets.UTF_8), new Random(seed));
        LineProtocolOptions options =
                LineProtocolOptions.DEFAULTS.withAtomic(false).withStringFields(StringFieldPolicy.SKIP);
        java.util.Map<Integer, String> together = verdicts(new LineProtocolParser(options), body);
        java.util.Map<Integer, String> alone = new java.util.TreeMap<>();
        int lineNo = 1;
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                byte[] line = java.util.Arrays.copyOfRange(body, start, i);
                int n = lineNo;
                verdicts(new LineProtocolParser(options), line).forEach((k, v) -> alone.put(n, v));
                lineNo++;
                start = i + 1;
            }
        }
        assertThat(together).isEqualTo(alone);
    }

    @Test
    void theRepeatedNamesBodyHasGoodAndBadLines() {
        byte[] body = REPEATED_NAMES_BODY.getBytes(StandardCharsets.UTF_8);
        java.util.Map<Integer, String> v = verdicts(
                new LineProtocolParser(
                        LineProtocolOptions.DEFAULTS.withAtomic(false).withStringFields(StringFieldPolicy.SKIP)),
                body);
        assertThat(v.get(2)).startsWith("ok cpu [host=b, dc=x]");
        assertThat(v.get(3)).contains("duplicate tag 'host'");
        assertThat(v.get(4)).contains("duplicate field 'usage'");
        assertThat(v.get(6)).startsWith("ok cpu [host=c d, dc=x]");
        assertThat(v.get(8)).contains("duplicate field 'idle'");
        assertThat(v.get(9)).contains("duplicate tag 'dc'");
        assertThat(v.get(10)).startsWith("ok cpu [host=e, dc=x]");
        assertThat(v.get(11)).contains("invalid tag name [tag=d/c]");
        assertThat(v.get(12)).contains("invalid field name [field=i/dle]");
    }

    /** Line number to "ok" and the line's contents, or to its error's column and reason. */
    private static java.util.Map<Integer, String> verdicts(LineProtocolParser parser, byte[] body) {
        java.util.Map<Integer, String> out = new java.util.TreeMap<>();
        ParseResult r = parser.parse(body, 0, body.length, Precision.NANOSECONDS, 0, v -> {
            StringBuilder sb = new StringBuilder("ok ").append(v.measurement()).append(" [");
            for (int i = 0; i < v.tagCount(); i++) {
                sb.append(i == 0 ? "" : ", ").append(v.tagKey(i)).append('=').append(v.tagValue(i));
            }
            sb.append("]");
            for (int i = 0; i < v.fieldCount(); i++) {
                sb.append(' ').append(v.fieldKey(i)).append('=').append(v.fieldValue(i));
            }
            out.put(v.lineNumber(), sb.append(' ').append(v.timestampMs()).toString());
        });
        r.errors().forEach(e -> out.put(e.line(), "bad at " + e.column() + ": " + e.reason()));
        return out;
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
