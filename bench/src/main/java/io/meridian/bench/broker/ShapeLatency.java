package io.meridian.bench.broker;

/**
 * Latency of one query shape through the broker (native JSON, and SQL over HTTP with the planning time the
 * broker reports) and directly on the leaves (milliseconds, over the same queries), and the rows the broker
 * answered for the first one. "SQL" is a new statement text each run (random host and window, as TSBS); "SQL
 * repeated" runs one text again and again (a dashboard), served from the plan cache. SQL figures are NaN for a
 * shape SQL cannot say yet. "JDBC prepared" is one prepared statement per shape with the host and time range as
 * parameters, executed each run through the JDBC driver.
 */
public record ShapeLatency(
        String shape,
        double brokerMedianMs,
        double brokerP90Ms,
        double leafMedianMs,
        double leafP90Ms,
        int rows,
        double sqlMedianMs,
        double sqlPlanningMedianMs,
        double sqlRepeatedMedianMs,
        double sqlRepeatedPlanningMedianMs,
        double jdbcPreparedMedianMs) {
    /** What the broker adds to the median: median(broker) - median(leaf). */
    public double overheadMs() {
        return brokerMedianMs - leafMedianMs;
    }
}
