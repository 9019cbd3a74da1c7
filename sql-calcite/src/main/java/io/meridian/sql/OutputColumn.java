package io.meridian.sql;

import java.util.List;
import java.util.Locale;

/**
 * One output column of a {@link PushedPlan}, by kind: the closed set of what a distributed query returns. A column
 * is identified by its kind and position, never by a generated name, so no tag, field or alias a user chooses can
 * collide with one.
 */
public sealed interface OutputColumn {
    /** The column's kind, as EXPLAIN shows it. */
    String kind();

    /** How EXPLAIN names the column within its plan. */
    String describe(PushedPlan plan);

    /** The slot start (scan form) or the time bucket's start (aggregate form). */
    record Time() implements OutputColumn {
        @Override
        public String kind() {
            return "time";
        }

        @Override
        public String describe(PushedPlan plan) {
            return "ts";
        }
    }

    /** A tag's value: grouped by (aggregate form) or the series' value (scan form). */
    record Tag(String key) implements OutputColumn {
        @Override
        public String kind() {
            return "tag";
        }

        @Override
        public String describe(PushedPlan plan) {
            return key;
        }
    }

    /** How a gap-filled row (a bucket {@code time_bucket_gapfill} added) gets an aggregate's value. */
    enum Fill {
        /** null (0 for a count): the bucket had no point. */
        NONE,
        /** {@code locf(x)}: the group's last value before, null before the first. */
        LOCF,
        /** {@code interpolate(x)}: linear in time between the group's values before and after, null at the ends. */
        INTERPOLATE
    }

    /**
     * The value of the plan's aggregate {@code index} (aggregate form); in a gap-filled plan, also how buckets
     * without points get a value. The same aggregate may appear once per fill.
     */
    record Aggregate(int index, Fill fill) implements OutputColumn {
        Aggregate(int index) {
            this(index, Fill.NONE);
        }

        @Override
        public String kind() {
            return fill == Fill.NONE ? "aggregate" : "aggregate " + fill.name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String describe(PushedPlan plan) {
            return plan.aggregates().get(index).describe();
        }
    }

    /**
     * {@code MAX(ts)} ({@code newest}) or {@code MIN(ts)}: the start of the newest (oldest) slot with a point in any
     * field, from the times of the last (first) point of every field, aggregates {@code aggregates} of the plan.
     */
    record SlotTime(List<Integer> aggregates, boolean newest) implements OutputColumn {
        public SlotTime {
            aggregates = List.copyOf(aggregates);
        }

        @Override
        public String kind() {
            return "time of the " + (newest ? "newest" : "oldest") + " slot";
        }

        @Override
        public String describe(PushedPlan plan) {
            return (newest ? "max" : "min") + "(ts)";
        }
    }

    /** A field's value in its slot, by the field's type (scan form); {@code index} into the plan's fields. */
    record Field(int index) implements OutputColumn {
        @Override
        public String kind() {
            return "field";
        }

        @Override
        public String describe(PushedPlan plan) {
            return plan.fields().get(index);
        }
    }
}
