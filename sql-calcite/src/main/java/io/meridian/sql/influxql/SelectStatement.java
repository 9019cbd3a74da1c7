package io.meridian.sql.influxql;

import java.util.List;

/**
 * A parsed {@code SELECT}: fields, sources, condition, dimensions and options, in InfluxQL's clause order.
 *
 * @param condition  the WHERE expression, null when absent
 * @param dimensions GROUP BY items: {@code time(...)} calls, tag references, {@code *}, regexes
 * @param descending {@code ORDER BY time DESC}
 * @param limit      LIMIT (points per series), 0 = none; likewise offset, slimit (series), soffset
 * @param timeZone   the {@code tz('...')} zone id, null when absent
 */
record SelectStatement(
        List<Statement.Field> fields,
        List<Statement.Source> sources,
        Expr condition,
        List<Expr> dimensions,
        Statement.Fill fill,
        boolean descending,
        long limit,
        long offset,
        long slimit,
        long soffset,
        String timeZone)
        implements Statement {
    SelectStatement {
        fields = List.copyOf(fields);
        sources = List.copyOf(sources);
        dimensions = List.copyOf(dimensions);
    }
}
