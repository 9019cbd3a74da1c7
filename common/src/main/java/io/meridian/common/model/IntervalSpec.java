package io.meridian.common.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.meridian.common.error.InvalidInputException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * One interval of a database (the base, or a rollup): the slot width, in whole seconds, and how long its data is
 * kept, at least one interval. The one type of it in the engine, in metadata and in the HTTP API. Written as
 * durations of {@link Durations} ({@code 10s}, {@code 5m}, {@code 1h}, {@code 30d}, {@code 2w}); in JSON (etcd,
 * the HTTP API) as {@code {"interval":"10s","retention":"30d"}}, printed by {@link Durations#format} ({@code 2w}
 * prints as {@code 14d}).
 */
@JsonSerialize(using = IntervalSpec.Json.Writer.class)
@JsonDeserialize(using = IntervalSpec.Json.Reader.class)
public record IntervalSpec(Duration interval, Duration retention) {
    public IntervalSpec {
        if (interval == null || interval.toMillis() <= 0) {
            throw new InvalidInputException("invalid interval [interval=" + interval + "]: must be positive");
        }
        if (interval.toMillis() % 1000 != 0) {
            throw new InvalidInputException("invalid interval [interval=" + Durations.format(interval)
                    + "]: want whole seconds (1s or more); sub-second intervals are not supported");
        }
        if (retention == null || retention.compareTo(interval) < 0) {
            throw new InvalidInputException("invalid retention [interval=" + Durations.format(interval)
                    + ", retention=" + (retention == null ? null : Durations.format(retention))
                    + "]: retention is shorter than the interval");
        }
    }

    /** Parses both in the grammar of {@link Durations}, naming the one that is wrong. */
    public static IntervalSpec parse(String interval, String retention) {
        return new IntervalSpec(Durations.parse("interval", interval), Durations.parse("retention", retention));
    }

    /**
     * The one rule for a database's list of intervals, checked by the metadata (DDL) and by the storage engine alike:
     * a base interval first, then rollups, each strictly coarser than the previous, a whole multiple of it, and kept
     * at least as long.
     *
     * @param context names the database in errors, e.g. {@code database=metrics}
     * @throws InvalidInputException naming the interval that breaks the rule and the previous one
     */
    public static void checkList(String context, List<IntervalSpec> intervals) {
        if (intervals == null || intervals.isEmpty()) {
            throw new InvalidInputException("invalid intervals [" + context + "]: want at least the base interval");
        }
        for (int i = 1; i < intervals.size(); i++) {
            IntervalSpec prev = intervals.get(i - 1);
            IntervalSpec cur = intervals.get(i);
            if (cur.intervalMillis() <= prev.intervalMillis() || cur.intervalMillis() % prev.intervalMillis() != 0) {
                throw new InvalidInputException(
                        "invalid rollup interval [" + context + ", interval=" + cur + ", previous=" + prev
                                + "]: want a coarser interval that is a whole multiple of the previous one");
            }
            if (cur.retention().compareTo(prev.retention()) < 0) {
                throw new InvalidInputException("invalid rollup retention [" + context + ", interval=" + cur
                        + ", previous=" + prev + "]: a rollup must not be kept shorter than the previous interval");
            }
        }
    }

    public long intervalMillis() {
        return interval.toMillis();
    }

    @Override
    public String toString() {
        return Durations.format(interval) + ":" + Durations.format(retention);
    }

    /** The JSON form: an object of two duration strings. */
    static final class Json {
        private Json() {}

        static final class Writer extends JsonSerializer<IntervalSpec> {
            @Override
            public void serialize(IntervalSpec spec, JsonGenerator out, SerializerProvider provider)
                    throws IOException {
                out.writeStartObject();
                out.writeStringField("interval", Durations.format(spec.interval()));
                out.writeStringField("retention", Durations.format(spec.retention()));
                out.writeEndObject();
            }
        }

        static final class Reader extends JsonDeserializer<IntervalSpec> {
            @Override
            public IntervalSpec deserialize(JsonParser in, DeserializationContext context) throws IOException {
                JsonNode node = in.readValueAsTree();
                if (node == null || !node.isObject()) {
                    throw new InvalidInputException("invalid interval: want an object like "
                            + "{\"interval\":\"10s\",\"retention\":\"30d\"}; got " + node);
                }
                return parse(text(node, "interval"), text(node, "retention"));
            }

            private static String text(JsonNode node, String name) {
                JsonNode v = node.get(name);
                return v == null || v.isNull() ? null : v.asText();
            }
        }
    }
}
