package io.meridian.common.query;

/**
 * Runs a distributed query plan. The broker implements it (the root fragment); the SQL planner calls it for the
 * part of a statement it pushed down, so the planner never depends on the broker (ARCHITECTURE §1).
 */
@FunctionalInterface
public interface QueryExecutor {
    /**
     * Runs {@code spec} and returns the whole answer.
     *
     * @throws io.meridian.common.error.MeridianException with the code of what failed (bad input, a bound, a
     *         timeout, an unavailable shard or IDC)
     */
    QueryResult execute(QuerySpec spec);
}
