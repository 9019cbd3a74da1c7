package io.meridian.sql;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.function.LongUnaryOperator;

/**
 * One end of a pushed time range, resolved when the statement runs (a prepared statement may run long after it
 * was planned): an absolute instant, {@code now() + offset}, or the value of a dynamic parameter.
 *
 * @param kind   {@code ABSOLUTE} (value = ms since the epoch), {@code NOW} (value = offset ms), {@code PARAM}
 *               (value = parameter index)
 * @param inclusive whether the bound itself is in the range ({@code >=} / {@code <=})
 */
public record TimeBound(Kind kind, long value, boolean inclusive) {
    public enum Kind {
        ABSOLUTE,
        NOW,
        PARAM
    }

    @JsonCreator
    public TimeBound(
            @JsonProperty("kind") Kind kind,
            @JsonProperty("value") long value,
            @JsonProperty("inclusive") boolean inclusive) {
        this.kind = kind;
        this.value = value;
        this.inclusive = inclusive;
    }

    /** The bound in ms since the epoch. */
    public long resolve(long nowMs, LongUnaryOperator param) {
        return switch (kind) {
            case ABSOLUTE -> value;
            case NOW -> nowMs + value;
            case PARAM -> param.applyAsLong(value);
        };
    }

    @Override
    public String toString() {
        String v = switch (kind) {
            case ABSOLUTE -> Instant.ofEpochMilli(value).toString();
            case NOW -> "now()" + (value >= 0 ? "+" : "") + value + "ms";
            case PARAM -> "?" + value;
        };
        return (inclusive ? "[" : "(") + v;
    }
}
