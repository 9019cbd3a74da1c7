package io.meridian.common.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.lineprotocol.ParsedPoint.Field;
import io.meridian.common.lineprotocol.ParsedPoint.Tag;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The law parse(format(points)) = points, for Meridian-valid points and for anything 1.x can represent. */
class LineProtocolRoundTripTest {

    @Provide
    Arbitrary<List<ParsedPoint>> meridianPoints() {
        Arbitrary<String> names = Combinators.combine(
                        Arbitraries.strings().withChars("abcxyzABCXYZ_").ofLength(1),
                        Arbitraries.strings().withChars("abcXYZ019_.:-").ofMaxLength(12))
                .as(String::concat);
        Arbitrary<String> tagValues = Arbitraries.strings()
                .all()
                .ofMinLength(1)
                .ofMaxLength(40)
                .filter(s -> representable(s) && s.indexOf('\0') < 0);
        return points(names, names, tagValues);
    }

    @Provide
    Arbitrary<List<ParsedPoint>> specPoints() {
        Arbitrary<String> any = Arbitraries.strings()
                .withChars("ab,= \\\"#\t\r\u00e9\u4e2d")
                .ofMinLength(1)
                .ofMaxLength(8)
                .filter(LineProtocolRoundTripTest::representable);
        Arbitrary<String> measurements = any.filter(s -> !s.startsWith("#") && !s.startsWith("\t"));
        return points(measurements, any, any);
    }

    private Arbitrary<List<ParsedPoint>> points(
            Arbitrary<String> measurements, Arbitrary<String> keys, Arbitrary<String> tagValues) {
        Arbitrary<Tag> tag = Combinators.combine(keys, tagValues).as(Tag::new);
        Arbitrary<Field> field = Combinators.combine(
                        keys,
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.doubles().filter(Double::isFinite),
                        Arbitraries.longs())
                .as((k, kind, d, l) -> switch (kind) {
                    case 0 -> Field.ofFloat(k, d);
                    case 1 -> Field.ofInteger(k, l);
                    case 2 -> Field.ofUnsigned(k, l);
                    default -> Field.ofBoolean(k, (l & 1) == 1);
                });
        Arbitrary<ParsedPoint> point = Combinators.combine(
                        measurements,
                        tag.list().ofMaxSize(5).map(LineProtocolRoundTripTest::distinctTags),
                        field.list().ofMinSize(1).ofMaxSize(6).map(LineProtocolRoundTripTest::distinctFields),
                        Arbitraries.longs().between(-9_000_000_000_000L, 9_000_000_000_000L))
                .as(ParsedPoint::new);
        return point.list().ofMaxSize(8);
    }

    @Property
    void meridianPointsRoundTrip(@ForAll("meridianPoints") List<ParsedPoint> points, @ForAll Precision precision) {
        roundTrip(points, precision, LineProtocolOptions.DEFAULTS);
    }

    @Property
    void everyRepresentablePointRoundTrips(@ForAll("specPoints") List<ParsedPoint> points) {
        roundTrip(points, Precision.NANOSECONDS, LineProtocolOptions.DEFAULTS.withValidateNames(false));
    }

    private static void roundTrip(List<ParsedPoint> points, Precision precision, LineProtocolOptions options) {
        List<ParsedPoint> expected = new ArrayList<>();
        StringBuilder body = new StringBuilder("# generated\n");
        for (ParsedPoint p : points) {
            long unit = switch (precision) {
                case SECONDS -> 1000;
                case MINUTES -> 60_000;
                case HOURS -> 3_600_000;
                default -> 1;
            };
            ParsedPoint q = new ParsedPoint(p.measurement(), p.tags(), p.fields(), p.timestampMs() / unit * unit);
            LineProtocolWriter.append(body, q, precision);
            expected.add(q);
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(LineCollector.parseAll(new LineProtocolParser(options), bytes, precision, 0))
                .as("body: %s", body)
                .isEqualTo(expected);
    }

    static boolean representable(String s) {
        if (s.isEmpty() || s.endsWith("\\") || s.indexOf('\n') >= 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<Tag> distinctTags(List<Tag> tags) {
        Set<String> seen = new HashSet<>();
        return tags.stream().filter(t -> seen.add(t.key())).toList();
    }

    private static List<Field> distinctFields(List<Field> fields) {
        Set<String> seen = new HashSet<>();
        return fields.stream().filter(f -> seen.add(f.key())).toList();
    }
}
