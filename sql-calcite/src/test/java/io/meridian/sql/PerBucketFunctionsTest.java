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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * rate, increase and delta per bucket, by the field's type: rate and increase read a sum field (its points are
 * increments), delta a gauge (last minus first) or a sum field. The executor answers 120 for every aggregate.
 */
class PerBucketFunctionsTest {
    private static final String RANGE =
            " WHERE ts >= TIMESTAMP '2026-01-01 05:00:00' AND ts < TIMESTAMP '2026-01-01 06:00:00'";
    private final List<QuerySpec> specs = new ArrayList<>();
    private final SqlEngine engine = new SqlEngine(
            new TestCatalog()
                    .database("web", 10_000, Duration.ofDays(30).toMillis())
                    .metric("http", List.of("host"), "requests", FieldType.SUM, "latency", FieldType.GAUGE),
            spec -> {
                specs.add(spec);
                List<QueryResult.Column> cols = new ArrayList<>();
                List<Object> row = new ArrayList<>();
                if (spec.bucketMs() > 0) {
                    cols.add(new QueryResult.Column("ts", QueryResult.Type.TIMESTAMP));
                    row.add(spec.startMs());
                }
                spec.groupBy().forEach(g -> {
                    cols.add(new QueryResult.Column(g, QueryResult.Type.VARCHAR));
                    row.add("w0");
                });
                spec.selections().forEach(s -> {
                    cols.add(new QueryResult.Column(s.alias(), QueryResult.Type.DOUBLE));
                    row.add(120.0);
                });
                return new QueryResult(cols, List.of(row), List.of());
            },
            Duration.ofSeconds(10),
            1000);

    private QuerySpec last() {
        return specs.get(specs.size() - 1);
    }

    @Test
    void rateAndIncreaseOfASumFieldArePushedAsItsSum() {
        SqlAnswer a = engine.execute(
                "web",
                "SELECT FLOOR(ts TO MINUTE) AS m, rate(requests), increase(requests), "
                        + "delta(latency), delta(requests) FROM http" + RANGE + " GROUP BY FLOOR(ts TO MINUTE)");
        assertThat(last().selections())
                .extracting(AggCall::function)
                .containsExactly(QueryFunction.SUM, QueryFunction.SUM, QueryFunction.DELTA, QueryFunction.SUM);
        assertThat(a.rows()).containsExactly(List.of("2026-01-01T05:00:00Z", 2.0, 120.0, 120.0, 120.0));
        SqlAnswer whole = engine.execute("web", "SELECT host, rate(requests) FROM http" + RANGE + " GROUP BY host");
        assertThat(whole.rows())
                .as("without a bucket: per second of the range")
                .containsExactly(List.of("w0", 120.0 / 3600));
    }

    @Test
    void rateOfAGaugeOrOutsideAPushedAggregateIsA400() {
        assertThatThrownBy(() -> engine.execute("web", "SELECT rate(latency) FROM http" + RANGE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("invalid argument [function=rate, argument=1, field=latency, type=gauge]")
                .hasMessageContaining("use delta(latency)");
        assertThatThrownBy(() -> engine.execute("web", "SELECT increase(latency) FROM http" + RANGE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("function=increase");
        assertThat(specs).as("refused at planning").isEmpty();
        assertThatThrownBy(() -> engine.execute("web", "SELECT rate(requests) FROM http" + RANGE + " AND latency > 3"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("cannot compute RATE here");
    }
}
