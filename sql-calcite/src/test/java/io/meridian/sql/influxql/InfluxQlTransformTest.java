package io.meridian.sql.influxql;

import static io.meridian.sql.influxql.InfluxFixture.T0;
import static io.meridian.sql.influxql.InfluxFixture.only;
import static io.meridian.sql.influxql.InfluxFixture.range;
import static io.meridian.sql.influxql.InfluxFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * derivative, non_negative_derivative, difference, non_negative_difference and cumulative_sum: over raw points and
 * over the buckets of an aggregate, with InfluxDB's rules (nulls skipped, the bucket before the range read, the first
 * point without a value). net bytes_recv of h1: T0 100, +10s 200, +20s 400, +30s 350, +40s 450.
 */
class InfluxQlTransformTest {
    private final InfluxFixture f = new InfluxFixture();

    @Test
    void rawTransformsSkipTheFirstPointAndNegativeSteps() {
        assertThat(only(f.runMs("SELECT non_negative_derivative(\"bytes_recv\", 1s) FROM \"net\""))
                        .values())
                .containsExactly(row(T0 + 10_000, 10.0), row(T0 + 20_000, 20.0), row(T0 + 40_000, 10.0));
        assertThat(only(f.runMs("SELECT derivative(bytes_recv) AS d, difference(bytes_recv), "
                                + "non_negative_difference(bytes_recv), cumulative_sum(bytes_recv) FROM net"))
                        .values())
                .containsExactly(
                        row(T0, null, null, null, 100.0),
                        row(T0 + 10_000, 10.0, 100.0, 100.0, 300.0),
                        row(T0 + 20_000, 20.0, 200.0, 200.0, 700.0),
                        row(T0 + 30_000, -5.0, -50.0, null, 1050.0),
                        row(T0 + 40_000, 10.0, 100.0, 100.0, 1500.0));
    }

    @Test
    void aggregateTransformsSkipEmptyBucketsAndUseTheIntervalAsDefaultUnit() {
        InfluxQlResponse.Series s =
                only(f.runMs("SELECT derivative(mean(usage_user), 30s) AS d, difference(mean(usage_user)), "
                        + "derivative(mean(usage_user)) FROM cpu WHERE host = 'h1' AND " + range(0, 120)
                        + " GROUP BY time(30s)"));
        assertThat(s.columns()).containsExactly("time", "d", "difference", "derivative");
        assertThat(s.values())
                .as("mean per bucket: 2, -, 8, 10, -")
                .containsExactly(row(T0 + 60_000, 3.0, 6.0, 3.0), row(T0 + 90_000, 2.0, 2.0, 2.0));
    }

    @Test
    void theBucketBeforeTheRangeIsReadSoTheFirstBucketHasADerivative() {
        assertThat(only(f.runMs("SELECT difference(max(usage_user)) FROM cpu WHERE host = 'h1' AND " + range(30, 120)
                                + " GROUP BY time(30s) fill(previous)"))
                        .values())
                .as("max per bucket from T0: 3, 3 (previous), 9, 10, 10")
                .containsExactly(
                        row(T0 + 30_000, 0.0), row(T0 + 60_000, 6.0), row(T0 + 90_000, 1.0), row(T0 + 120_000, 0.0));
        assertThat(f.sql)
                .singleElement()
                .asString()
                .contains("\"ts\" >= TIMESTAMP '2024-12-05 12:00:00'")
                .doesNotContain("gapfill");
        assertThat(only(f.runMs("SELECT difference(max(usage_user)) FROM cpu WHERE host = 'h1' AND " + range(60, 120)
                                + " GROUP BY time(30s) fill(previous)"))
                        .values())
                .as("the bucket before (30s) is empty: nothing to carry")
                .containsExactly(row(T0 + 90_000, 1.0), row(T0 + 120_000, 0.0));
    }

    @Test
    void aTransformNextToAnAggregateKeepsEveryBucketOfTheAggregate() {
        assertThat(only(f.runMs("SELECT mean(usage_user), non_negative_derivative(mean(usage_user), 1m) FROM cpu "
                                + "WHERE host = 'h1' AND " + range(0, 120) + " GROUP BY time(30s)"))
                        .values())
                .containsExactly(
                        row(T0, 2.0, null),
                        row(T0 + 30_000, null, null),
                        row(T0 + 60_000, 8.0, 6.0),
                        row(T0 + 90_000, 10.0, 4.0),
                        row(T0 + 120_000, null, null));
    }

    @Test
    void descendingOrderWalksTheSeriesBackwardsAsInfluxDbDoes() {
        assertThat(only(f.runMs("SELECT difference(bytes_recv) FROM net ORDER BY time DESC LIMIT 2"))
                        .values())
                .containsExactly(row(T0 + 30_000, -100.0), row(T0 + 20_000, 50.0));
    }

    @Test
    void transformsOfCountsStayIntegers() {
        assertThat(only(f.runMs("SELECT difference(count(usage_user)) FROM cpu WHERE host = 'h1' AND " + range(0, 90)
                                + " GROUP BY time(30s)"))
                        .values())
                .as("counts 0 (the bucket before, filled with 0), 3, 0, 2, 1")
                .containsExactly(row(T0, 3L), row(T0 + 30_000, -3L), row(T0 + 60_000, 2L), row(T0 + 90_000, -1L));
        assertThat(TransformStage.apply("cumulative_sum", new long[] {1, 2}, new Object[] {2L, 3L}, false, 1))
                .containsExactly(2L, 5L);
    }

    @Test
    void transformRulesAreChecked() {
        assertThat(f.run("SELECT derivative(mean(usage_user)) FROM cpu")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("derivative aggregate requires a GROUP BY interval");
        assertThat(f.run("SELECT derivative(usage_user) FROM cpu WHERE " + range(0, 60) + " GROUP BY time(30s)")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("GROUP BY requires at least one aggregate function");
        assertThat(f.run("SELECT derivative(difference(mean(usage_user))) FROM cpu GROUP BY time(30s)")
                        .results()
                        .get(0)
                        .error())
                .isEqualTo("not supported: nested transformation derivative(difference())");
        assertThat(f.run("SELECT derivative(usage_user, 'x') FROM cpu")
                        .results()
                        .get(0)
                        .error())
                .startsWith("second argument to derivative must be a duration");
        assertThat(List.of(f.run("SELECT mean(usage_user), derivative(usage_user) FROM cpu")
                        .results()
                        .get(0)
                        .error()))
                .containsExactly("aggregate function required inside the call to derivative");
    }
}
