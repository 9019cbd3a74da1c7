package io.meridian.sql.influxql;

import io.meridian.sql.SqlAnswer;

/** Runs one Meridian SQL statement: {@link io.meridian.sql.SqlEngine#execute}, or a test's recording wrapper. */
@FunctionalInterface
interface SqlRunner {
    SqlAnswer execute(String database, String sql);
}
