package io.meridian.common.query;

import io.meridian.common.error.InvalidInputException;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A predicate over a series' tags: which series of the metric a {@link QuerySpec} reads. It mirrors the storage
 * wire's {@code TagFilter} one to one ({@link io.meridian.common.rpc.TagConditionCodec} converts), with the same
 * semantics: {@link Regex} is a full match of a {@link java.util.regex.Pattern}, {@link Not} also matches series
 * without the tag, {@link And} and {@link Or} have at least one part.
 *
 * <p>{@link #toString()} is the readable text EXPLAIN prints, e.g. {@code (hostname='host_1' AND NOT(region IN [eu]))}.
 */
public sealed interface TagCondition {
    /** Every series of the metric. */
    record All() implements TagCondition {
        private static final All INSTANCE = new All();

        @Override
        public TagCondition mapValues(UnaryOperator<String> f) {
            return this;
        }

        @Override
        public String toString() {
            return "all";
        }
    }

    /** The tag equals the value. */
    record Eq(String key, String value) implements TagCondition {
        public Eq {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public TagCondition mapValues(UnaryOperator<String> f) {
            return new Eq(key, f.apply(value));
        }

        @Override
        public String toString() {
            return key + "='" + value + "'";
        }
    }

    /** The tag equals one of the values. */
    record In(String key, List<String> values) implements TagCondition {
        public In {
            Objects.requireNonNull(key, "key");
            values = List.copyOf(values);
        }

        @Override
        public TagCondition mapValues(UnaryOperator<String> f) {
            return new In(key, values.stream().map(f).toList());
        }

        @Override
        public String toString() {
            return key + " IN " + values;
        }
    }

    /** The tag value starts with the prefix. */
    record Prefix(String key, String prefix) implements TagCondition {
        public Prefix {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(prefix, "prefix");
        }

        @Override
        public TagCondition mapValues(UnaryOperator<String> f) {
            return this;
        }

        @Override
        public String toString() {
            return key + " LIKE '" + prefix + "%'";
        }
    }

    /** The tag value fully matches a {@link java.util.regex.Pattern} (compiled where it is evaluated). */
    record Regex(String key, String pattern) implements TagCondition {
        public Regex {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public TagCondition mapValues(UnaryOperator<String> f) {
            return this;
        }

        @Override
        public String toString() {
            return key + " ~ '" + pattern + "'";
        }
    }

    /** Series that do not match the inner condition, including series without the tag. */
    record Not(TagCondition inner) implements TagCondition {
        public Not {
            Objects.requireNonNull(inner, "inner");
        }

        @Override
        public TagCondition mapValues(UnaryOperator<String> f) {
            return new Not(inner.mapValues(f));
        }

        @Override
        public String toString() {
            return "NOT(" + inner + ")";
        }
    }

    /** Series matching every part (at least one part). */
    record And(List<TagCondition> parts) implements TagCondition {
        public And {
            parts = requireParts(parts, "and");
        }

        @Override
        public TagCondition mapValues(UnaryOperator<String> f) {
            return new And(parts.stream().map(p -> p.mapValues(f)).toList());
        }

        @Override
        public String toString() {
            return parts.stream().map(TagCondition::toString).collect(Collectors.joining(" AND ", "(", ")"));
        }
    }

    /** Series matching any part (at least one part). */
    record Or(List<TagCondition> parts) implements TagCondition {
        public Or {
            parts = requireParts(parts, "or");
        }

        @Override
        public TagCondition mapValues(UnaryOperator<String> f) {
            return new Or(parts.stream().map(p -> p.mapValues(f)).toList());
        }

        @Override
        public String toString() {
            return parts.stream().map(TagCondition::toString).collect(Collectors.joining(" OR ", "(", ")"));
        }
    }

    /**
     * The same condition with every {@link Eq} and {@link In} value replaced by {@code f} of it (e.g. statement
     * parameters bound at run time); the tree's shape and every other node stay as they are.
     */
    TagCondition mapValues(UnaryOperator<String> f);

    static TagCondition all() {
        return All.INSTANCE;
    }

    static TagCondition eq(String key, String value) {
        return new Eq(key, value);
    }

    static TagCondition in(String key, List<String> values) {
        return new In(key, values);
    }

    static TagCondition prefix(String key, String prefix) {
        return new Prefix(key, prefix);
    }

    static TagCondition regex(String key, String pattern) {
        return new Regex(key, pattern);
    }

    static TagCondition not(TagCondition inner) {
        return new Not(inner);
    }

    /** Every part: a single part is returned as is. */
    static TagCondition and(List<TagCondition> parts) {
        return parts.size() == 1 ? parts.get(0) : new And(parts);
    }

    /** Any part: a single part is returned as is. */
    static TagCondition or(List<TagCondition> parts) {
        return parts.size() == 1 ? parts.get(0) : new Or(parts);
    }

    private static List<TagCondition> requireParts(List<TagCondition> parts, String op) {
        Objects.requireNonNull(parts, "parts");
        if (parts.isEmpty()) {
            throw new InvalidInputException(
                    "empty tag condition [" + op + "]: got no parts; want at least one " + "(all() for every series)");
        }
        return List.copyOf(parts);
    }
}
