package io.meridian.common.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.lineprotocol.ParsedPoint.Field;
import io.meridian.common.lineprotocol.ParsedPoint.Tag;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spec examples (InfluxDB 1.x line protocol reference), each escaping rule, value kinds, precision, and the
 * per-line error reports.
 */
class LineProtocolParserTest {
    private static final long NOW_MS = 1_700_000_000_000L;
    private static final LineProtocolOptions SPEC = LineProtocolOptions.DEFAULTS.withValidateNames(false);

    static List<ParsedPoint> parse(LineProtocolOptions options, String body) {
        return parse(options, body, Precision.NANOSECONDS);
    }

    static List<ParsedPoint> parse(LineProtocolOptions options, String body, Precision precision) {
        return LineCollector.parseAll(
                new LineProtocolParser(options), body.getBytes(StandardCharsets.UTF_8), precision, NOW_MS);
    }

    static ParsedPoint one(String line) {
        List<ParsedPoint> points = parse(SPEC, line);
        assertThat(points).hasSize(1);
        return points.get(0);
    }

    static ParseResult result(LineProtocolOptions options, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return new LineProtocolParser(options).parse(b, 0, b.length, Precision.NANOSECONDS, NOW_MS, l -> {});
    }

    static List<String> errors(String body) {
        return result(LineProtocolOptions.DEFAULTS, body).errors().stream()
                .map(LineError::toString)
                .toList();
    }

    // --- spec examples (InfluxDB 1.x line protocol reference) ---

    @Test
    void specSyntaxExample() {
        assertThat(one("weather,location=us-midwest temperature=82 1465839830100400200"))
                .isEqualTo(new ParsedPoint(
                        "weather",
                        List.of(new Tag("location", "us-midwest")),
                        List.of(Field.ofFloat("temperature", 82)),
                        1465839830100L));
    }

    @Test
    void specOptionalPartsAndTypes() {
        assertThat(one("weather temperature=82 1465839830100400200").tags()).isEmpty();
        assertThat(one("weather,location=us-midwest temperature=82").timestampMs())
                .isEqualTo(NOW_MS);
        assertThat(one("weather,location=us-midwest temperature=82,bug_concentration=98 1465839830100400200")
                        .fields())
                .containsExactly(Field.ofFloat("temperature", 82), Field.ofFloat("bug_concentration", 98));
        assertThat(one("weather,location=us-midwest temperature=82i 1465839830100400200")
                        .fields())
                .containsExactly(Field.ofInteger("temperature", 82));
        assertThat(one("weather,location=us-midwest too_hot=true 1465839830100400200")
                        .fields())
                .containsExactly(Field.ofBoolean("too_hot", true));
        assertThat(one("weather,location=us-midwest temperature=82 1465839830").timestampMs())
                .isEqualTo(1465);
        assertThat(parse(SPEC, "weather,location=us-midwest temperature=82 1465839830", Precision.SECONDS)
                        .get(0)
                        .timestampMs())
                .isEqualTo(1465839830000L);
    }

    @Test
    void specFloatForms() {
        assertThat(one("m myfloat=1").fields().get(0).value()).isEqualTo(1.0);
        assertThat(one("m myfloat=1.0").fields().get(0).value()).isEqualTo(1.0);
        assertThat(one("m myfloat=-1.234456e+78").fields().get(0).value()).isEqualTo(-1.234456e+78);
        assertThat(one("m f=.5,g=5.,h=1E3,i=-0").fields())
                .extracting(Field::value)
                .containsExactly(0.5, 5.0, 1000.0, -0.0);
    }

    @Test
    void specEscapingExamples() {
        assertThat(one("weather,location=us\\,midwest temperature=82 1465839830100400200")
                        .tags())
                .containsExactly(new Tag("location", "us,midwest"));
        assertThat(one("weather,location=us-midwest temp\\=rature=82 1465839830100400200")
                        .fields()
                        .get(0)
                        .key())
                .isEqualTo("temp=rature");
        assertThat(one("weather,location\\ place=us-midwest temperature=82 1465839830100400200")
                        .tags())
                .containsExactly(new Tag("location place", "us-midwest"));
        assertThat(one("wea\\,ther,location=us-midwest temperature=82 1465839830100400200")
                        .measurement())
                .isEqualTo("wea,ther");
        assertThat(one("wea\\ ther,location=us-midwest temperature=82 1465839830100400200")
                        .measurement())
                .isEqualTo("wea ther");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"too hot/cold\"",
                "\"too hot\\cold\"",
                "\"too hot\\\\cold\"",
                "\"too hot\\\\\\cold\"",
                "\"too hot\\\\\\\\cold\"",
                "\"too hot\\\\\\\\\\cold\"",
                "\"too\\\"hot\\\"\"",
                "\"a, b=c d\"",
                "\"\""
            })
    void specStringFieldsAreParsedThenSkippedOrRejected(String quoted) {
        String line = "weather,location=us-midwest temperature_str=" + quoted + ",n=1 1465839830100400200";
        assertThat(parse(SPEC.withStringFields(StringFieldPolicy.SKIP), line)
                        .get(0)
                        .fields())
                .containsExactly(Field.ofFloat("n", 1));
        assertThat(result(SPEC, line).errors())
                .containsExactly(new LineError(1, 45, "string fields are not supported [field=temperature_str]"));
    }

    @Test
    void aParsedBodyIsNotReferencedAfterTheParse() {
        LineProtocolParser parser = new LineProtocolParser(LineProtocolOptions.DEFAULTS);
        byte[] body = "cpu,host=a usage=1,idle=2 1\n".getBytes(StandardCharsets.UTF_8);
        LineView[] seen = new LineView[1];
        parser.parse(body, 0, body.length, Precision.NANOSECONDS, 0, v -> {
            assertThat(v.measurement().array()).isSameAs(body);
            seen[0] = v;
        });
        assertThat(seen[0].measurement().array())
                .as("a parser kept per thread must not pin the last body")
                .isEmpty();
        assertThat(seen[0].tagValue(0).array()).isEmpty();
        assertThat(seen[0].fieldKey(1).array()).isEmpty();
    }

    @Test
    void stringOnlyLinesAreSkippedUnderSkip() {
        ParseResult r = result(
                LineProtocolOptions.DEFAULTS.withStringFields(StringFieldPolicy.SKIP),
                "system uptime_format=\"1 day\"\ncpu v=1\n");
        assertThat(r).isEqualTo(new ParseResult(2, 1, 1, 1, 1, 0, List.of()));
    }

    // --- escaping rules ---

    @Test
    void measurementEscapesCommaAndSpaceOnly() {
        assertThat(one("a\\=b\\,c\\ d v=1").measurement()).isEqualTo("a\\=b,c d");
        assertThat(one("a=b v=1").measurement()).isEqualTo("a=b");
    }

    @Test
    void keysAndTagValuesEscapeCommaEqualsSpace() {
        ParsedPoint p = one("m,k\\,\\=\\ 1=v\\,\\=\\ 1 f\\,\\=\\ 1=2");
        assertThat(p.tags()).containsExactly(new Tag("k,= 1", "v,= 1"));
        assertThat(p.fields().get(0).key()).isEqualTo("f,= 1");
        assertThat(one("m,t\\\"=a\\\" f\\\"=1").tags()).containsExactly(new Tag("t\\\"", "a\\\""));
        assertThat(one("m f\\\"=1").fields().get(0).key())
                .as("field keys also unescape a quote, as 1.x")
                .isEqualTo("f\"");
    }

    @Test
    void backslashBeforeOtherBytesIsLiteralAndNeverEndsAToken() {
        assertThat(one("m,path=C:\\temp\\x v=1").tags()).containsExactly(new Tag("path", "C:\\temp\\x"));
        // 1.x: the byte after a backslash never ends a token, and "\\," unescapes to "\,"
        assertThat(one("m,t=a\\\\,b v=1").tags()).containsExactly(new Tag("t", "a\\,b"));
        assertThat(one("m,t=\\n v=1").tags()).containsExactly(new Tag("t", "\\n"));
    }

    /** Cases from InfluxDB 1.x's TestParsePointUnescape and neighbours (models/points_test.go). */
    @Test
    void influxUnescapeCases() {
        assertThat(one("cpu,reg\\\\=ion=east value=1.0").tags()).containsExactly(new Tag("reg\\=ion", "east"));
        assertThat(one("cpu,\\ =east value=1.0").tags()).containsExactly(new Tag(" ", "east"));
        assertThat(one("cpu,regions=\\\\ east value=1.0").tags()).containsExactly(new Tag("regions", "\\ east"));
        assertThat(one("cpu,regions=east\\\\  value=1.0").tags()).containsExactly(new Tag("regions", "east\\ "));
        assertThat(one("cpu,regions=\\\\,\\,\\=east value=1.0").tags())
                .containsExactly(new Tag("regions", "\\,,=east"));
        assertThat(one("cpu \\a=1i").fields()).containsExactly(Field.ofInteger("\\a", 1));
        ParsedPoint p = one("cpu=load,equals\\=foo=tag\\=value value=1i");
        assertThat(p.measurement()).isEqualTo("cpu=load");
        assertThat(p.tags()).containsExactly(new Tag("equals=foo", "tag=value"));
        assertThat(one("\"cpu\",\"host\"=\"serverA\" value=1.").tags())
                .containsExactly(new Tag("\"host\"", "\"serverA\""));
        assertThat(parse(SPEC, "baz,mytag=\"a x=1 1441103862125\nbaz,mytag=a z=1 1441103862126"))
                .hasSize(2);
        assertThat(parse(
                                SPEC.withStringFields(StringFieldPolicy.SKIP),
                                "cpu str=\"foo\\\\\",str2=\"bar\",v=6.632243e+06 1000000000")
                        .get(0)
                        .fields())
                .containsExactly(Field.ofFloat("v", 6632243));
    }

    @Test
    void unicodeIsPassedThrough() {
        assertThat(one("m,city=Zürich,emoji=\uD83D\uDE00 v=1").tags())
                .containsExactly(new Tag("city", "Zürich"), new Tag("emoji", "\uD83D\uDE00"));
    }

    // --- values, time, framing ---

    @ParameterizedTest
    @CsvSource({"t,1", "T,1", "true,1", "True,1", "TRUE,1", "f,0", "F,0", "false,0", "False,0", "FALSE,0"})
    void booleans(String text, int expected) {
        assertThat(one("m b=" + text).fields()).containsExactly(Field.ofBoolean("b", expected == 1));
    }

    @Test
    void integerAndUnsignedBounds() {
        assertThat(one("m a=9223372036854775807i,b=-9223372036854775808i,c=18446744073709551615u,d=0u")
                        .fields())
                .containsExactly(
                        Field.ofInteger("a", Long.MAX_VALUE),
                        Field.ofInteger("b", Long.MIN_VALUE),
                        Field.ofUnsigned("c", -1L),
                        Field.ofUnsigned("d", 0));
        assertThat(one("m c=18446744073709551615u").fields().get(0).value()).isEqualTo(1.8446744073709552E19);
    }

    @ParameterizedTest
    @CsvSource({
        "NANOSECONDS,1500000,1",
        "NANOSECONDS,-1,-1",
        "MICROSECONDS,1999,1",
        "MILLISECONDS,7,7",
        "SECONDS,7,7000",
        "MINUTES,2,120000",
        "HOURS,1,3600000"
    })
    void precisionConvertsToMillisFlooringSubMillis(Precision precision, long ts, long ms) {
        assertThat(parse(SPEC, "m v=1 " + ts, precision).get(0).timestampMs()).isEqualTo(ms);
    }

    @Test
    void precisionParameterAcceptsInfluxSpellings() {
        assertThat(List.of("ns", "n", "", "us", "u", "ms", "s", "m", "h"))
                .extracting(Precision::parse)
                .containsExactly(
                        Precision.NANOSECONDS,
                        Precision.NANOSECONDS,
                        Precision.NANOSECONDS,
                        Precision.MICROSECONDS,
                        Precision.MICROSECONDS,
                        Precision.MILLISECONDS,
                        Precision.SECONDS,
                        Precision.MINUTES,
                        Precision.HOURS);
        assertThatThrownBy(() -> Precision.parse("d")).hasMessageContaining("unknown precision [precision=d]");
    }

    @Test
    void commentsBlankLinesCrlfAndWhitespace() {
        String body = "# comment\r\n\r\n   \n  cpu   v=1    10000000   \r\n\t# indented comment\ncpu v=2";
        List<ParsedPoint> points = parse(LineProtocolOptions.DEFAULTS, body);
        assertThat(points).extracting(p -> p.fields().get(0).value()).containsExactly(1.0, 2.0);
        assertThat(points.get(0).timestampMs()).isEqualTo(10);
        assertThat(result(LineProtocolOptions.DEFAULTS, body).linesRead()).isEqualTo(2);
    }

    @Test
    void viewSlicesPointIntoTheBodyAndByteBuffersWork() {
        byte[] body = "cpu,host=a usage=1.5 1000000\n".getBytes(StandardCharsets.UTF_8);
        List<String> seen = new ArrayList<>();
        LineProtocolParser parser = new LineProtocolParser();
        parser.parse(ByteBuffer.allocateDirect(body.length).put(body).flip(), Precision.NANOSECONDS, 0, l -> {
            seen.add(l.measurement() + " " + l.tagKey(0) + "=" + l.tagValue(0) + " " + l.fieldKey(0) + "="
                    + l.fieldValue(0) + " " + l.timestampMs() + " " + l.hasTimestamp() + " " + l.lineNumber());
            assertThat(l.measurement().contentEquals("cpu")).isTrue();
        });
        parser.parse(
                body,
                0,
                body.length,
                Precision.NANOSECONDS,
                0,
                l -> assertThat(l.measurement().array()).isSameAs(body));
        assertThat(seen).containsExactly("cpu host=a usage=1.5 1 true 1");
    }

    // --- errors: line, column, reason ---

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                ",host=a v=1|1|missing measurement",
                "cpu|4|missing fields",
                "`cpu `|5|missing fields",
                "cpu,host=a|11|missing fields",
                "cpu, v=1|5|missing tag key",
                "cpu,=a v=1|5|missing tag key",
                "cpu,host v=1|9|missing tag value for tag 'host'",
                "cpu,host= v=1|10|missing tag value for tag 'host'",
                "cpu,host=a=b v=1|11|invalid tag value for tag 'host': unescaped '='",
                "cpu,host=a,host=b v=1|12|duplicate tag 'host'",
                "cpu =1|5|missing field key",
                "cpu v=1,|9|missing field key",
                "cpu v|6|missing field value for field 'v'",
                "cpu v= 1|7|missing field value for field 'v'",
                "cpu v=1,v=2|9|duplicate field 'v'",
                "cpu,host=a usage=abc|18|invalid field value 'abc' for field 'usage'",
                "cpu v=1.2.3|7|invalid field value '1.2.3' for field 'v'",
                "cpu v=+1|7|invalid field value '+1' for field 'v'",
                "cpu v=NaN|7|invalid field value 'NaN' for field 'v'",
                "cpu v=1.5i|7|invalid field value '1.5i' for field 'v'",
                "cpu v=-1u|7|invalid field value '-1u' for field 'v'",
                "cpu v=tru|7|invalid field value 'tru' for field 'v'",
                "cpu v=9223372036854775808i|7|field value out of range '9223372036854775808i' for field 'v'",
                "cpu v=18446744073709551616u|7|field value out of range '18446744073709551616u' for field 'v'",
                "cpu v=1e400|7|field value out of range '1e400' for field 'v'",
                "cpu v=\"abc|7|unterminated string for field 'v'",
                "cpu v=\"a\"b|10|unexpected text after string for field 'v'",
                "cpu v=\"a\"|7|string fields are not supported [field=v]",
                "cpu v=1 12a|9|invalid timestamp '12a'",
                "cpu v=1 -|9|invalid timestamp '-'",
                "cpu v=1 9223372036854775808|9|timestamp out of range '9223372036854775808' [precision=ns]",
                "cpu v=1 1 2|11|unexpected text after timestamp",
                "9cpu v=1|1|invalid metric name [metric=9cpu]: must start with a letter or '_', got '9'",
                "cpu,ho\\ st=a v=1|5|invalid tag name [tag=ho st]: character ' ' at index 2 is not allowed; want [A-Za-z0-9_.:-]",
                "cpu us%er=1|5|invalid field name [field=us%er]: character '%' at index 2 is not allowed; want [A-Za-z0-9_.:-]",
            })
    void eachErrorReasonWithItsColumn(String line, int column, String reason) {
        assertThat(errors("cpu v=1\n" + line + "\n")).containsExactly("line 2, column " + column + ": " + reason);
    }

    /** Lines InfluxDB 1.x's own tests (models/points_test.go) require to fail; names unchecked. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "cpu,host",
                "cpu,host,",
                "cpu,host=",
                "cpu,f=oo=bar value=1",
                "cpu,host value=1i",
                "cpu,host=serverA,region value=1i",
                "cpu,host=serverA,region= value=1i",
                "cpu,host=serverA,region=,zone=us-west value=1i",
                "cpu, value=1",
                "cpu, ,,",
                "cpu,,,",
                "cpu,host=serverA,=us-east value=1i",
                "cpu,host=serverAa\\,,=us-east value=1i",
                "cpu,host=serverA\\,,=us-east value=1i",
                "cpu, =serverA value=1i",
                "test,foo=bar a=101,=value",
                "test,foo=bar =value",
                "test,foo=bar a=101,key=",
                "test,foo=bar key=",
                "test,foo=bar a=101,b=\"foo",
                "cpu v=-e-e-e",
                "cpu v=42+3",
                "cpu v=1a",
                "cpu v= ",
                "cpu value=9ie10",
                "cpu value=9e10i",
                "cpu value=a",
                "cpu value=NaN",
                "cpu value=-Inf",
                "cpu value=1.1.1",
                "cpu value=-",
                "cpu value=1 1.5",
                "cpu value=1,"
            })
    void linesInfluxRejectsAreRejected(String line) {
        ParseResult r = result(SPEC, line);
        assertThat(r.errorCount()).as(line).isEqualTo(1);
        assertThat(r.linesValid()).isZero();
    }

    @Test
    void timestampOutOfRangeForCoarsePrecision() {
        byte[] b = "m v=1 9223372036854776\n".getBytes(StandardCharsets.UTF_8);
        ParseResult r = new LineProtocolParser().validate(b, 0, b.length, Precision.SECONDS);
        assertThat(r.errors())
                .containsExactly(new LineError(1, 7, "timestamp out of range '9223372036854776' [precision=s]"));
    }

    @Test
    void tagValueRulesAndLimits() {
        String long257 = "x".repeat(257);
        assertThat(errors("cpu,h=" + long257 + " v=1"))
                .containsExactly(
                        "line 1, column 7: invalid tag value [tag=h]: too long: got 257 characters; want at most 256");
        assertThat(errors("cpu,h=a\u0000b v=1"))
                .containsExactly("line 1, column 7: invalid tag value [tag=h]: contains NUL");
        byte[] bad = {'m', ',', 't', '=', (byte) 0xc3, ' ', 'v', '=', '1'};
        assertThat(new LineProtocolParser()
                        .validate(bad, 0, bad.length, Precision.NANOSECONDS)
                        .errors())
                .containsExactly(new LineError(1, 5, "invalid tag value [tag=t]: not valid UTF-8 at byte 0"));
        assertThat(errors("cpu," + "x".repeat(129) + "=a v=1").get(0))
                .startsWith("line 1, column 5: invalid tag name")
                .endsWith("too long: got 129 characters; want at most 128");
        LineProtocolOptions small = LineProtocolOptions.DEFAULTS.withLimits(1, 2);
        assertThat(result(small, "m,a=1,b=2 v=1\nm a=1,b=2,c=3").errors())
                .containsExactly(
                        new LineError(1, 7, "too many tags: want at most 1"),
                        new LineError(2, 11, "too many fields: want at most 2"));
    }

    @Test
    void atomicDeliversNothingWhenALineIsBadAndNonAtomicDeliversGoodLines() {
        String body = "cpu v=1\ncpu v=x\ncpu v=3\n";
        List<ParsedPoint> got = new ArrayList<>();
        LineCollector atomic = new LineCollector();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ParseResult r = new LineProtocolParser().parse(b, 0, b.length, Precision.NANOSECONDS, 0, atomic);
        assertThat(r)
                .isEqualTo(new ParseResult(
                        3, 2, 0, 0, 0, 1, List.of(new LineError(2, 7, "invalid field value 'x' for field 'v'"))));
        assertThat(atomic.points()).isEmpty();
        LineCollector partial = new LineCollector();
        r = new LineProtocolParser(LineProtocolOptions.DEFAULTS.withAtomic(false))
                .parse(b, 0, b.length, Precision.NANOSECONDS, 0, partial);
        assertThat(r.linesDelivered()).isEqualTo(2);
        assertThat(partial.points()).extracting(p -> p.fields().get(0).value()).containsExactly(1.0, 3.0);
        assertThatThrownBy(r::throwIfErrors)
                .isInstanceOf(LineProtocolException.class)
                .hasMessage(
                        "invalid line protocol [bad_lines=1, lines=3]: line 2, column 7: invalid field value 'x' for field 'v'");
    }

    @Test
    void errorListIsBoundedButAllBadLinesAreCounted() {
        ParseResult r = result(LineProtocolOptions.DEFAULTS, "x\n".repeat(250));
        assertThat(r.errorCount()).isEqualTo(250);
        assertThat(r.errors()).hasSize(100);
        assertThat(r.errors().get(99).line()).isEqualTo(100);
        assertThatThrownBy(r::throwIfErrors)
                .hasMessageEndingWith("; and 150 more")
                .satisfies(e ->
                        assertThat(((LineProtocolException) e).errorCount()).isEqualTo(250));
    }
}
