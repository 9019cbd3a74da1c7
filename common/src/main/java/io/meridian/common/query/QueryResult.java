package io.meridian.common.query;

import java.util.List;
import java.util.Objects;

/**
 * A finished query answer.
 *
 * @param columns     names and types, in row order
 * @param rows        values: TIMESTAMP as {@code Long} milliseconds since the epoch (UTC), VARCHAR as {@code String},
 *                    DOUBLE as {@code Double}, BIGINT as {@code Long}; null where a field had no point
 * @param missingIdcs IDCs left out of the answer because they did not answer and the query allowed it; empty
 *                    for a complete answer
 */
public record QueryResult(List<Column> columns, List<List<Object>> rows, List<String> missingIdcs) {
    /** Column types, as SQL names them. */
    public enum Type {
        TIMESTAMP,
        VARCHAR,
        DOUBLE,
        BIGINT
    }

    public record Column(String name, Type type) {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    public QueryResult {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        missingIdcs = List.copyOf(missingIdcs);
    }

    public boolean isPartial() {
        return !missingIdcs.isEmpty();
    }
}
