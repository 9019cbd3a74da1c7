package io.meridian.sql;

/**
 * One pushed ORDER BY key: an output column of the plan by position, and its direction. Nulls sort last, as the
 * distributed query sorts them (the rule pushes only the keys where that agrees with SQL).
 */
public record SortKey(int column, boolean descending) {
    public SortKey {
        if (column < 0) {
            throw new IllegalArgumentException("BUG: negative sort column " + column);
        }
    }
}
