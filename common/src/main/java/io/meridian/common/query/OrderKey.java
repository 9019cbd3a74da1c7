package io.meridian.common.query;

import java.util.Objects;

/** One ORDER BY key: a result column by name, ascending unless {@code descending}; nulls sort last. */
public record OrderKey(String column, boolean descending) {
    public OrderKey {
        Objects.requireNonNull(column, "column");
    }
}
