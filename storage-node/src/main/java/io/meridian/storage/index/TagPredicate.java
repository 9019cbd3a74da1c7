package io.meridian.storage.index;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** A predicate over a series' tags, resolved to a bitmap of series ids by {@link PostingsIndex}. */
public sealed interface TagPredicate {
    /** Every series of the metric. */
    record All() implements TagPredicate {}

    record Eq(String key, String value) implements TagPredicate {
        public Eq {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    record In(String key, List<String> values) implements TagPredicate {
        public In {
            values = List.copyOf(values);
        }
    }

    record Prefix(String key, String prefix) implements TagPredicate {}

    /** Full match of a Java regular expression against the tag value. */
    record Regex(String key, Pattern pattern) implements TagPredicate {
        public static Regex of(String key, String regex) {
            return new Regex(key, Pattern.compile(regex));
        }
    }

    /** Series of the metric that do not match (including series without the tag). */
    record Not(TagPredicate inner) implements TagPredicate {}

    record And(List<TagPredicate> parts) implements TagPredicate {
        public And {
            parts = List.copyOf(parts);
        }
    }

    record Or(List<TagPredicate> parts) implements TagPredicate {
        public Or {
            parts = List.copyOf(parts);
        }
    }

    static TagPredicate all() {
        return new All();
    }

    static TagPredicate eq(String key, String value) {
        return new Eq(key, value);
    }

    static TagPredicate and(TagPredicate... parts) {
        return new And(List.of(parts));
    }
}
