package io.meridian.sql;

import java.util.List;

/**
 * A SQL statement's answer.
 *
 * @param columns name and SQL type name per column
 * @param rows    values: TIMESTAMP as ISO-8601 UTC strings, numbers as Long/Double, VARCHAR as String, null as null
 */
public record SqlAnswer(List<Column> columns, List<List<Object>> rows) {
    public record Column(String name, String type) {}

    public SqlAnswer {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }
}
