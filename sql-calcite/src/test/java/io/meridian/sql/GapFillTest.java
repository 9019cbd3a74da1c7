package io.meridian.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.common.query.AggCall;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * time_bucket_gapfill with locf and interpolate: every bucket of the stated range answered per group, the empty
 * ones filled as TimescaleDB does. The executor answers host h1 in minutes 0, 2 and 5 of the range and h2 in
 * minute 1 only (every aggregate = 10 x minute, and count = 1).
 */
class GapFillTest {
    private static final long T0 = Instant.parse("2026-01-01T05:00:00Z").toEpochMilli();
    private static final String RANGE =
            " WHERE ts >= TIMESTAMP '2026-01-01 05:00:00' AND ts < TIMESTAMP '2026-01-01 05:06:00'";

    private final List<QuerySpec> specs = new ArrayList<>();
    private final SqlEngine engine = new SqlEngine(
            new TestCatalog()
                    .database("tsbs", 10_000, Duration.ofDays(30).toMillis())
                    .metric("cpu", List.of("hostname"), "usage", FieldType.GAUGE),
            spec -> {
                specs.add(spec);
                List<QueryResult.Column> cols = new ArrayList<>();
                if (spec.bucketMs() > 0) {
                    cols.add(new QueryResult.Column("ts", QueryResult.Type.TIMESTAMP));
                }
                spec.groupBy().forEach(g -> cols.add(new QueryResult.Column(g, QueryResult.Type.VARCHAR)));
                spec.selections().forEach(s -> cols.add(new QueryResult.Column(s.alias(), QueryResult.Type.DOUBLE)));
                List<List<Object>> rows = new ArrayList<>();
                for (long[] hm : new long[][] {{1, 0}, {1, 2}, {1, 5}, {2, 1}}) {
                    List<Object> row = new ArrayList<>();
                    if (spec.bucketMs() > 0) {
                        row.add(spec.startMs() + hm[1] * 60_000);
                    }
                    spec.groupBy().forEach(g -> row.add("h" + hm[0]));
                    for (AggCall s : spec.selections()) {
                        row.add(s.function() == QueryFunction.COUNT ? (Object) 1L : (Object) (10.0 * hm[1]));
                    }
                    rows.add(row);
                }
                return new QueryResult(cols, rows, List.of());
            },
            Duration.ofSeconds(10),
            1000);

    private static List<Object> row(int minute, String host, Object... values) {
        List<Object> r = new ArrayList<>();
        r.add(Instant.ofEpochMilli(T0 + minute * 60_000L).toString());
        r.add(host);
        r.addAll(Arrays.asList(values));
        return r;
    }

    /**
     * A dashboard sends the same gap-filled statement with a new time range (and host) each refresh: it is planned
     * once, from its normalized text, and each run fills the buckets of its own range.
     */
    @Test
    void statementsDifferingInTheirRangeShareOnePlannedStatement() {
        for (int hour = 5; hour < 8; hour++) {
            SqlAnswer a = engine.execute(
                    "tsbs",
                    "SELECT time_bucket_gapfill(INTERVAL '1' MINUTE, ts) AS m, MAX(usage) FROM cpu WHERE hostname = 'h"
                            + hour + "' AND ts >= TIMESTAMP '2026-01-01 0" + hour + ":00:00' AND ts < TIMESTAMP "
                            + "'2026-01-01 0" + hour + ":06:00' GROUP BY time_bucket_gapfill(INTERVAL '1' MINUTE, ts)");
            long start = T0 + (hour - 5) * 3_600_000L;
            assertThat(specs.get(specs.size() - 1).startMs()).isEqualTo(start);
            assertThat(a.rows()).hasSize(6);
            assertThat(a.rows().get(0).get(0))
                    .isEqualTo(Instant.ofEpochMilli(start).toString());
        }
        assertThat(engine.idleStatements())
                .as("one planned statement for the three ranges")
                .isEqualTo(1);
    }

    @Test
    void everyBucketOfTheRangeIsAnsweredWithLocfAndInterpolate() {
        SqlAnswer a = engine.execute(
                "tsbs",
                "SELECT time_bucket_gapfill(INTERVAL '1' MINUTE, ts) AS m, hostname, "
                        + "AVG(usage), locf(AVG(usage)) AS carried, interpolate(MAX(usage)) AS line, COUNT(usage) FROM cpu"
                        + RANGE
                        + " GROUP BY time_bucket_gapfill(INTERVAL '1' MINUTE, ts), hostname ORDER BY hostname, m");
        assertThat(specs).hasSize(1);
        assertThat(specs.get(0).bucketMs()).as("pushed").isEqualTo(60_000);
        List<Object> nil = new ArrayList<>();
        nil.add(null);
        assertThat(a.rows())
                .containsExactly(
                        row(0, "h1", 0.0, 0.0, 0.0, 1L),
                        row(1, "h1", null, 0.0, 10.0, 0L),
                        row(2, "h1", 20.0, 20.0, 20.0, 1L),
                        row(3, "h1", null, 20.0, 30.0, 0L),
                        row(4, "h1", null, 20.0, 40.0, 0L),
                        row(5, "h1", 50.0, 50.0, 50.0, 1L),
                        row(0, "h2", null, null, null, 0L),
                        row(1, "h2", 10.0, 10.0, 10.0, 1L),
                        row(2, "h2", null, 10.0, null, 0L),
                        row(3, "h2", null, 10.0, null, 0L),
                        row(4, "h2", null, 10.0, null, 0L),
                        row(5, "h2", null, 10.0, null, 0L));
        assertThat(engine.execute(
                                "tsbs",
                                "EXPLAIN PLAN FOR SELECT time_bucket_gapfill(INTERVAL '1' MINUTE, ts) AS m, "
                                        + "locf(MAX(usage)) FROM cpu" + RANGE
                                        + " GROUP BY time_bucket_gapfill(INTERVAL '1' MINUTE, ts)")
                        .rows()
                        .get(0)
                        .get(0)
                        .toString())
                .contains("bucket=60000ms gapfill", "max(usage):aggregate locf");
    }

    @Test
    void countsAreCarriedAndInterpolatedAsCounts() {
        SqlAnswer a = engine.execute(
                "tsbs",
                "SELECT time_bucket_gapfill(INTERVAL '1' MINUTE, ts) AS m, hostname, "
                        + "locf(COUNT(usage)) AS carried, interpolate(COUNT(usage)) AS line FROM cpu" + RANGE
                        + " GROUP BY time_bucket_gapfill(INTERVAL '1' MINUTE, ts), hostname ORDER BY hostname, m");
        assertThat(specs).as("pushed").hasSize(1);
        assertThat(a.rows().get(1).subList(1, 4))
                .as("h1's empty second minute carries and interpolates its count")
                .containsExactly("h1", 1.0, 1.0);
        assertThat(a.rows().get(6).subList(1, 4))
                .as("h2's first minute: nothing before it to carry")
                .containsExactly("h2", null, null);
    }

    @Test
    void gapfillWithoutABoundedRangeOrOutsideAPushedAggregateIsA400() {
        assertThatThrownBy(
                        () -> engine.execute(
                                "tsbs",
                                "SELECT time_bucket_gapfill(INTERVAL '1' MINUTE, ts) AS m, "
                                        + "MAX(usage) FROM cpu WHERE ts >= TIMESTAMP '2026-01-01 05:00:00' GROUP BY time_bucket_gapfill(INTERVAL '1' MINUTE, ts)"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("time_bucket_gapfill needs a bounded time range [function=time_bucket_gapfill")
                .hasMessageContaining("AND ts < ...");
        assertThat(specs).as("refused at planning: nothing ran").isEmpty();
        assertThatThrownBy(() -> engine.execute(
                        "tsbs",
                        "SELECT time_bucket_gapfill(INTERVAL '1' MINUTE, ts) AS m, " + "MAX(usage) FROM cpu" + RANGE
                                + " AND usage > 3 GROUP BY time_bucket_gapfill(INTERVAL '1' MINUTE, ts)"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("misplaced time_bucket_gapfill");
        assertThatThrownBy(() -> engine.execute("tsbs", "SELECT hostname, locf(MAX(usage)) FROM cpu GROUP BY hostname"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("misplaced locf [function=locf]");
    }
}
