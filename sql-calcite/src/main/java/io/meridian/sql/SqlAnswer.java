package io.meridian.sql;

import java.util.List;

/**
 * A SQL statement's answer.
 *
 * @param columns name and SQL type name per column
 * @param rows    values: TIMESTAMP as ISO-8601 UTC strings, numbers as Long/Double, VARCHAR as String, null as null
 * @param planningNanos  parse, validate, optimize and generate code (Calcite's prepare)
 * @param executionNanos run the plan (the distributed query and whatever Calcite runs above it) and read the rows
 */
public record SqlAnswer(List<Column> columns, List<List<Object>> rows, long planningNanos, long executionNanos) {
    public record Column(String name, String type) {}

    public SqlAnswer {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }
}
