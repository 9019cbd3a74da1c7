package io.meridian.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.common.model.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The value types options are declared with. Each rejects the wrong YAML type rather than coercing it. */
public final class ConfigTypes {
    private ConfigTypes() {}

    /** A non-empty string (YAML scalars that are numbers or booleans are taken as written). */
    public static final ConfigType<String> STRING = new Simple<>(
            "string",
            n -> {
                String s = scalar(n);
                if (s.isBlank()) {
                    throw new IllegalArgumentException("must not be empty");
                }
                return s;
            },
            s -> s);

    /** {@code true} or {@code false}. */
    public static final ConfigType<Boolean> BOOLEAN = new Simple<>(
            "boolean",
            n -> {
                if (!n.isBoolean()) {
                    throw new IllegalArgumentException("want true or false; got '" + n.asText() + "'");
                }
                return n.booleanValue();
            },
            String::valueOf);

    /** A list of non-empty strings: a YAML sequence or one comma-separated string. */
    public static final ConfigType<List<String>> STRING_LIST = new Simple<>(
            "list",
            n -> {
                List<String> out = new ArrayList<>();
                if (n.isArray()) {
                    n.forEach(e -> out.add(scalar(e).trim()));
                } else {
                    Arrays.stream(scalar(n).split(",")).map(String::trim).forEach(out::add);
                }
                if (out.isEmpty() || out.stream().anyMatch(String::isEmpty)) {
                    throw new IllegalArgumentException("want a non-empty list without empty entries; got " + n);
                }
                return List.copyOf(out);
            },
            l -> String.join(",", l));

    /** An int in {@code [min, max]}. */
    public static ConfigType<Integer> intIn(int min, int max) {
        return new Simple<>(
                "int",
                n -> {
                    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                        throw new IllegalArgumentException("want an integer; got '" + n.asText() + "'");
                    }
                    int v = n.intValue();
                    if (v < min || v > max) {
                        throw new IllegalArgumentException("got " + v + "; want " + min + ".." + max);
                    }
                    return v;
                },
                String::valueOf);
    }

    /** A long in {@code [min, max]}. */
    public static ConfigType<Long> longIn(long min, long max) {
        return new Simple<>(
                "long",
                n -> {
                    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                        throw new IllegalArgumentException("want an integer; got '" + n.asText() + "'");
                    }
                    long v = n.longValue();
                    if (v < min || v > max) {
                        throw new IllegalArgumentException("got " + v + "; want " + min + ".." + max);
                    }
                    return v;
                },
                String::valueOf);
    }

    /** A finite number in {@code [min, max]}. */
    public static ConfigType<Double> doubleIn(double min, double max) {
        return new Simple<>(
                "number",
                n -> {
                    if (!n.isNumber()) {
                        throw new IllegalArgumentException("want a number; got '" + n.asText() + "'");
                    }
                    double v = n.doubleValue();
                    if (!(v >= min && v <= max)) {
                        throw new IllegalArgumentException("got " + v + "; want " + min + ".." + max);
                    }
                    return v;
                },
                String::valueOf);
    }

    /** A byte size of at least {@code minBytes}, written {@code 64MiB} etc. (see {@link DataSize}). */
    public static ConfigType<Long> sizeAtLeast(long minBytes) {
        return new Simple<>(
                "size",
                n -> {
                    long v = n.isIntegralNumber() && n.canConvertToLong()
                            ? n.longValue()
                            : DataSize.parseBytes(scalar(n));
                    if (v < minBytes) {
                        throw new IllegalArgumentException(
                                "got " + DataSize.format(v) + "; want at least " + DataSize.format(minBytes));
                    }
                    return v;
                },
                DataSize::format);
    }

    /** A duration of at least {@code min}, written {@code 10s} etc. (see {@link Durations}). */
    public static ConfigType<Duration> durationAtLeast(Duration min) {
        return new Simple<>(
                "duration",
                n -> {
                    if (n.isNumber()) {
                        throw new IllegalArgumentException(
                                "want a duration with a unit, e.g. 10s; got '" + n.asText() + "'");
                    }
                    Duration d = Durations.parseAllowingZero(scalar(n));
                    if (d.compareTo(min) < 0) {
                        throw new IllegalArgumentException(
                                "got " + Durations.format(d) + "; want at least " + Durations.format(min));
                    }
                    return d;
                },
                Durations::format);
    }

    /** One of an enum's constants, written in lower case ({@code always}, {@code interval}, ...). */
    public static <E extends Enum<E>> ConfigType<E> enumOf(Class<E> type) {
        String allowed = Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        return new Simple<>(
                "one of " + allowed,
                n -> {
                    String s = scalar(n).trim();
                    for (E e : type.getEnumConstants()) {
                        if (e.name().equalsIgnoreCase(s)) {
                            return e;
                        }
                    }
                    throw new IllegalArgumentException("got '" + s + "'; want one of " + allowed);
                },
                e -> e.name().toLowerCase(Locale.ROOT));
    }

    private static String scalar(JsonNode n) {
        if (!n.isValueNode() || n.isNull()) {
            throw new IllegalArgumentException("want a single value; got " + (n.isNull() ? "nothing" : n.toString()));
        }
        return n.asText();
    }

    private record Simple<T>(String name, Parser<T> parser, Formatter<T> formatter) implements ConfigType<T> {
        @Override
        public T parse(JsonNode node) {
            return parser.parse(node);
        }

        @Override
        public String format(T value) {
            return formatter.format(value);
        }
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(JsonNode node);
    }

    @FunctionalInterface
    private interface Formatter<T> {
        String format(T value);
    }
}
