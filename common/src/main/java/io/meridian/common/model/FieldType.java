package io.meridian.common.model;

import io.meridian.common.error.InvalidInputException;
import java.util.Locale;

/**
 * How the values of one field that fall into one time slot merge. Every type keeps a partial aggregate
 * ({@link AggState}) whose merge is associative, commutative and has an identity, so Flink, storage,
 * replication and queries may combine data in any order and get the same answer.
 *
 * <p>The <em>slot value</em> is what a plain (non-aggregated) read of the slot returns.
 */
public enum FieldType {
    /** A sampled level (CPU %). Slot value: the last point by time. Keeps count/sum/min/max/first/last. */
    GAUGE(1),
    /** A counter delta: values add up. Slot value: the sum. */
    SUM(2),
    /** Slot value: the smallest point. */
    MIN(3),
    /** Slot value: the largest point. */
    MAX(4),
    /** Slot value: the earliest point by time. */
    FIRST(5),
    /** Slot value: the latest point by time. */
    LAST(6),
    /** Observations counted in fixed log-scale buckets; quantiles are computed at query time. */
    HISTOGRAM(7),
    /**
     * A cumulative counter (Prometheus' {@code counter}, a request total): each point is the running total since the
     * counter's last reset, so it only grows until it drops back towards 0. Slot value: the last point by time.
     * {@code rate}, {@code increase} and {@code delta} of it are reset-aware (docs/queries.md). Until revision 5 of
     * the storage protocol the name {@code counter} meant {@link #SUM}; fields declared then keep that type.
     */
    COUNTER(8);

    private final int id;

    FieldType(int id) {
        this.id = id;
    }

    /** Stable id used in files and on the wire. */
    public int id() {
        return id;
    }

    public static FieldType ofId(int id) {
        for (FieldType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new InvalidInputException("unknown field type id [id=" + id + "]");
    }

    /** Parses the user-facing name ("gauge", "sum", "counter", ...), case-insensitive. */
    public static FieldType parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (FieldType t : values()) {
            if (t.name().toLowerCase(Locale.ROOT).equals(n)) {
                return t;
            }
        }
        throw new InvalidInputException("unknown field type [type=" + name
                + "]: want one of gauge, sum, counter, min, max, first, last, histogram");
    }

    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
