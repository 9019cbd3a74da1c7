package io.meridian.sql;

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

    /** The value of the plan's aggregate {@code index} (aggregate form). */
    record Aggregate(int index) implements OutputColumn {
        @Override
        public String kind() {
            return "aggregate";
        }

        @Override
        public String describe(PushedPlan plan) {
            return plan.aggregates().get(index).describe();
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
