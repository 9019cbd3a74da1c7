package io.meridian.common.query;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/** One ORDER BY key: a result column by name, ascending unless {@code descending}; nulls sort last. */
public record OrderKey(String column, boolean descending) {
    public OrderKey {
        Objects.requireNonNull(column, "column");
    }

    /**
     * The order of rows by {@code keys}: values compare naturally, nulls last in either direction.
     *
     * @param columns the rows' column names, to find each key's position
     * @param value   a row's value at a position
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <R> Comparator<R> comparator(
            List<String> columns, List<OrderKey> keys, BiFunction<R, Integer, Object> value) {
        Comparator<R> cmp = (a, b) -> 0;
        for (OrderKey k : keys) {
            int idx = columns.indexOf(k.column());
            Comparator<Object> natural = (Comparator) Comparator.naturalOrder();
            Comparator<Object> dir = k.descending() ? natural.reversed() : natural;
            cmp = cmp.thenComparing(r -> value.apply(r, idx), Comparator.nullsLast(dir));
        }
        return cmp;
    }
}
