package io.meridian.sql.influxql;

import static io.meridian.sql.influxql.InfluxFixture.T0;
import static io.meridian.sql.influxql.InfluxFixture.only;
import static io.meridian.sql.influxql.InfluxFixture.range;
import static io.meridian.sql.influxql.InfluxFixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SELECTs run end to end (InfluxQL, Meridian SQL, the distributed plan over points in memory) and answered in
 * InfluxDB 1.x's JSON. Host h1's usage_user per 30 s bucket of [T0, T0+120s] is 2 (1, 2, 3), -, 8 (7, 9), 10, -.
 */
class InfluxQlSelectTest {
    private final InfluxFixture f = new InfluxFixture();

    @Test
    void grafanaPanelQueryAnswersEveryBucketOfTheRangeInInfluxDbJson() {
        InfluxQlResponse r = f.run("SELECT mean(\"usage_user\") FROM \"cpu\" WHERE (\"host\" =~ /^h1$/) AND "
                + range(0, 120) + " GROUP BY time(30s), \"host\" fill(null)");
        assertThat(r.toJson())
                .isEqualTo(
                        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":"
                                + "\"h1\"},\"columns\":[\"time\",\"mean\"],\"values\":[[\"2024-12-05T12:00:00Z\",2.0],[\"2024-12-05T12:00:30Z\","
                                + "null],[\"2024-12-05T12:01:00Z\",8.0],[\"2024-12-05T12:01:30Z\",10.0],[\"2024-12-05T12:02:00Z\",null]]}]}]}");
        assertThat(f.sql)
                .singleElement()
                .asString()
                .contains(
                        "time_bucket_gapfill(INTERVAL '30' SECOND, \"ts\")",
                        "REGEXP_LIKE(\"host\", '^h1$')",
                        "\"ts\" >= TIMESTAMP '2024-12-05 12:00:00'");
    }

    /** Each fill, through time_bucket_gapfill (a bounded, pushed aggregation) and filled here (a field filter). */
    @ParameterizedTest
    @ValueSource(strings = {"", " AND usage_user > 0"})
    void everyFillAnswersAsInfluxDb(String fieldFilter) {
        String q = "SELECT mean(usage_user) FROM cpu WHERE host = 'h1'" + fieldFilter + " AND " + range(0, 120)
                + " GROUP BY time(30s) fill(%s)";
        assertThat(values(q.formatted("null")))
                .containsExactly(row(0L, 2.0), row(30L, null), row(60L, 8.0), row(90L, 10.0), row(120L, null));
        assertThat(values(q.formatted("none"))).containsExactly(row(0L, 2.0), row(60L, 8.0), row(90L, 10.0));
        assertThat(values(q.formatted("previous")))
                .containsExactly(row(0L, 2.0), row(30L, 2.0), row(60L, 8.0), row(90L, 10.0), row(120L, 10.0));
        assertThat(values(q.formatted("linear")))
                .containsExactly(row(0L, 2.0), row(30L, 5.0), row(60L, 8.0), row(90L, 10.0), row(120L, null));
        assertThat(values(q.formatted("0")))
                .containsExactly(row(0L, 2.0), row(30L, 0.0), row(60L, 8.0), row(90L, 10.0), row(120L, 0.0));
        assertThat(f.sql)
                .allSatisfy(sql -> assertThat(sql.contains("time_bucket_gapfill"))
                        .as(sql)
                        .isEqualTo(fieldFilter.isEmpty() && !sql.contains("time_bucket(")));
        assertThat(f.sql.stream().filter(sql -> sql.contains("time_bucket_gapfill")))
                .as("all but fill(none)")
                .hasSize(fieldFilter.isEmpty() ? 4 : 0);
    }

    @Test
    void countReadsZeroInEmptyBucketsUnderFillNullAndTheNumberUnderFillNumber() {
        String q = "SELECT count(usage_user), mean(usage_user) FROM cpu WHERE host = 'h1' AND " + range(0, 120)
                + " GROUP BY time(30s)";
        assertThat(values(q))
                .containsExactly(
                        row(0L, 3L, 2.0),
                        row(30L, 0L, null),
                        row(60L, 2L, 8.0),
                        row(90L, 1L, 10.0),
                        row(120L, 0L, null));
        assertThat(values(q + " fill(-1)"))
                .containsExactly(
                        row(0L, 3L, 2.0),
                        row(30L, -1L, -1.0),
                        row(60L, 2L, 8.0),
                        row(90L, 1L, 10.0),
                        row(120L, -1L, -1.0));
        assertThat(values(q + " fill(previous)"))
                .containsExactly(
                        row(0L, 3L, 2.0),
                        row(30L, 3L, 2.0),
                        row(60L, 2L, 8.0),
                        row(90L, 1L, 10.0),
                        row(120L, 1L, 10.0));
    }

    @Test
    void withoutALowerTimeBoundBucketsStartAtEachSeriesFirstPoint() {
        InfluxQlResponse r = f.runMs(
                "SELECT max(usage_user) FROM cpu WHERE time <= " + (T0 + 120_000) + "ms GROUP BY time(30s), host");
        assertThat(r.results().get(0).series())
                .extracting(InfluxQlResponse.Series::tags)
                .containsExactly(Map.of("host", "h1"), Map.of("host", "h2"));
        assertThat(r.results().get(0).series().get(1).values())
                .containsExactly(
                        row(T0, 10.0),
                        row(T0 + 30_000, 20.0),
                        row(T0 + 60_000, null),
                        row(T0 + 90_000, 50.0),
                        row(T0 + 120_000, null));
    }

    @Test
    void seriesSplitPerTagInTagOrderWithEpochTimes() {
        InfluxQlResponse r =
                f.runMs("SELECT max(usage_user) FROM cpu WHERE " + range(0, 90) + " GROUP BY time(30s), * fill(none)");
        List<InfluxQlResponse.Series> series = r.results().get(0).series();
        assertThat(series)
                .extracting(InfluxQlResponse.Series::tags)
                .containsExactly(Map.of("host", "h1", "region", "eu"), Map.of("host", "h2", "region", "us"));
        assertThat(series.get(0).values()).containsExactly(row(T0, 3.0), row(T0 + 60_000, 9.0), row(T0 + 90_000, 10.0));
        assertThat(series.get(1).values())
                .containsExactly(row(T0, 10.0), row(T0 + 30_000, 20.0), row(T0 + 90_000, 50.0));
        assertThat(f.service
                        .execute(
                                InfluxFixture.DB,
                                "SELECT max(usage_user) FROM cpu WHERE " + range(0, 90),
                                Epoch.SECONDS)
                        .results()
                        .get(0)
                        .series()
                        .get(0)
                        .values())
                .as("a lone max reports its point's time")
                .containsExactly(row((T0 + 90_000) / 1000, 50.0));
    }

    @Test
    void anAggregateWithoutGroupByTimeReportsTheStartOfTheRange() {
        assertThat(only(f.run("SELECT mean(usage_user), count(usage_user) FROM cpu WHERE host = 'h1' AND "
                                + range(0, 120)))
                        .values())
                .containsExactly(row("2024-12-05T12:00:00Z", 32.0 / 6, 6L));
        assertThat(only(f.run("SELECT sum(usage_user) FROM cpu")).values())
                .as("the epoch without a lower bound")
                .containsExactly(row("1970-01-01T00:00:00Z", 112.0));
        assertThat(f.run("SELECT count(usage_user) FROM cpu WHERE time > now()").toJson())
                .as("no points: no series")
                .isEqualTo("{\"results\":[{\"statement_id\":0}]}");
    }

    /**
     * As InfluxDB 1.x: a lone {@code first} / {@code last} without {@code GROUP BY time} reports the time of the point it
     * selected, of its own field only (usage_idle's one point is at +60 s, usage_user's first at T0), per series; with
     * another call beside it the row reports the start of the range again.
     */
    @Test
    void aLoneFirstOrLastReportsTheTimeOfItsPoint() {
        assertThat(only(f.runMs("SELECT last(usage_user) FROM cpu WHERE host = 'h1' AND " + range(0, 120)))
                        .values())
                .containsExactly(row(T0 + 90_000, 10.0));
        assertThat(only(f.runMs("SELECT first(usage_idle) FROM cpu WHERE host = 'h1'"))
                        .values())
                .containsExactly(row(T0 + 60_000, 50.0));
        List<InfluxQlResponse.Series> perHost = f.runMs(
                        "SELECT last(usage_user) FROM cpu WHERE " + range(0, 60) + " GROUP BY host")
                .results()
                .get(0)
                .series();
        assertThat(perHost)
                .extracting(InfluxQlResponse.Series::values)
                .containsExactly(List.of(row(T0 + 60_000, 7.0)), List.of(row(T0 + 30_000, 20.0)));
        assertThat(only(f.runMs("SELECT first(usage_user), last(usage_user) FROM cpu WHERE host = 'h1' AND "
                                + range(0, 120)))
                        .values())
                .as("two selectors: the start of the range")
                .containsExactly(row(T0, 1.0, 10.0));
        assertThat(f.sql.get(0)).contains("LAST(\"usage_user\"), LAST_TIME(\"usage_user\")");
    }

    /**
     * As InfluxDB 1.x: a lone {@code min}, {@code max} or {@code percentile} without {@code GROUP BY time} is a
     * selector too, and reports the time of the point it selects (the earliest of equal values); beside another call
     * it reports the start of the range.
     */
    @Test
    void aLoneMinMaxOrPercentileReportsTheTimeOfItsPoint() {
        assertThat(only(f.runMs("SELECT max(usage_user) FROM cpu WHERE host = 'h1' AND " + range(0, 120)))
                        .values())
                .containsExactly(row(T0 + 90_000, 10.0));
        assertThat(f.sql.get(f.sql.size() - 1)).contains("MAX(\"usage_user\"), MAX_TIME(\"usage_user\")");
        assertThat(only(f.runMs("SELECT min(usage_user) FROM cpu WHERE host = 'h1' AND " + range(10, 120)))
                        .values())
                .containsExactly(row(T0 + 10_000, 2.0));
        assertThat(f.sql.get(f.sql.size() - 1)).contains("MIN(\"usage_user\"), MIN_TIME(\"usage_user\")");
        List<InfluxQlResponse.Series> perHost = f.service
                .execute(
                        InfluxFixture.DB,
                        "SELECT min(usage_user) FROM cpu WHERE " + range(0, 120) + " GROUP BY host",
                        Epoch.MILLISECONDS)
                .results()
                .get(0)
                .series();
        assertThat(perHost)
                .extracting(InfluxQlResponse.Series::values)
                .containsExactly(List.of(row(T0, 1.0)), List.of(row(T0, 10.0)));
        assertThat(only(f.runMs("SELECT percentile(usage_user, 90) FROM cpu WHERE host = 'h1' AND " + range(0, 120)))
                        .values())
                .as("nearest rank: 90% of 6 is the 5th value, 9 at +70s")
                .containsExactly(row(T0 + 70_000, 9.0));
        assertThat(only(f.runMs("SELECT max(usage_user), min(usage_user) FROM cpu WHERE host = 'h1' AND "
                                + range(0, 120)))
                        .values())
                .as("two selectors: the start of the range")
                .containsExactly(row(T0, 10.0, 1.0));
        assertThat(only(f.runMs("SELECT median(usage_user) FROM cpu WHERE host = 'h1' AND " + range(0, 120)))
                        .values())
                .as("median is an aggregate, not a selector: the start of the range")
                .containsExactly(row(T0, 5.0));
    }

    /**
     * Under a field filter the plan cannot read point times (a field filter keeps the aggregation above the leaves),
     * so {@code first}, {@code last} and a lone {@code min} / {@code max} are selected here from the slot values that
     * pass the filter; alone, they still report their point's time.
     */
    @Test
    void selectorsUnderAFieldFilterAreSelectedFromTheSlotValues() {
        assertThat(only(f.runMs("SELECT last(usage_user) FROM cpu WHERE host = 'h1' AND usage_user < 9 AND "
                                + range(0, 120)))
                        .values())
                .containsExactly(row(T0 + 60_000, 7.0));
        assertThat(only(f.runMs("SELECT max(usage_user) FROM cpu WHERE host = 'h1' AND usage_user < 9 AND "
                                + range(0, 120)))
                        .values())
                .containsExactly(row(T0 + 60_000, 7.0));
        assertThat(only(f.runMs("SELECT min(usage_user) FROM cpu WHERE host = 'h1' AND usage_user > 2 AND "
                                + range(0, 120)))
                        .values())
                .containsExactly(row(T0 + 20_000, 3.0));
        assertThat(only(f.runMs("SELECT first(usage_user), last(usage_user) FROM cpu WHERE host = 'h1' AND "
                                + "usage_user > 2 AND " + range(0, 120) + " GROUP BY time(1m) fill(none)"))
                        .values())
                .containsExactly(row(T0, 3.0, 3.0), row(T0 + 60_000, 7.0, 10.0));
    }

    /**
     * As InfluxDB 1.x: one selector may be paired with fields and tags ({@code SELECT max(x), host}), whose values are
     * those of the selected point; beside an aggregate, or beside two calls, that is an error.
     */
    @Test
    void aSelectorReadsItsAuxiliaryFieldsAndTagsAtItsPoint() {
        InfluxQlResponse.Series all =
                only(f.runMs("SELECT max(usage_user), host, region FROM cpu WHERE " + range(0, 120)));
        assertThat(all.columns()).containsExactly("time", "max", "host", "region");
        assertThat(all.values()).containsExactly(row(T0 + 90_000, 50.0, "h2", "us"));
        assertThat(only(f.runMs("SELECT first(usage_idle), usage_user FROM cpu WHERE host = 'h1' AND " + range(0, 120)))
                        .values())
                .as("a field at the selected point of another field")
                .containsExactly(row(T0 + 60_000, 50.0, 7.0));
        assertThat(only(f.runMs("SELECT last(usage_user), usage_idle FROM cpu WHERE host = 'h1' AND " + range(0, 120)))
                        .values())
                .as("no value of the auxiliary field at that point")
                .containsExactly(row(T0 + 90_000, 10.0, null));
        assertThat(only(f.runMs("SELECT max(usage_user), host FROM cpu WHERE " + range(0, 120)
                                + " GROUP BY time(1m) fill(none)"))
                        .values())
                .as("per bucket, at the bucket's start")
                .containsExactly(row(T0, 20.0, "h2"), row(T0 + 60_000, 50.0, "h2"));
        List<InfluxQlResponse.Series> perHost = f.service
                .execute(
                        InfluxFixture.DB,
                        "SELECT max(usage_user), host, region FROM cpu WHERE " + range(0, 120) + " GROUP BY host",
                        Epoch.MILLISECONDS)
                .results()
                .get(0)
                .series();
        assertThat(perHost)
                .as("a group-by tag selected beside the selector")
                .extracting(InfluxQlResponse.Series::values)
                .containsExactly(
                        List.of(row(T0 + 90_000, 10.0, "h1", "eu")), List.of(row(T0 + 90_000, 50.0, "h2", "us")));
        for (String bad : List.of(
                "SELECT mean(usage_user), host FROM cpu",
                "SELECT max(usage_user), min(usage_user), host FROM cpu",
                "SELECT derivative(max(usage_user)), host FROM cpu GROUP BY time(1m)")) {
            assertThat(f.run(bad).results().get(0).error())
                    .as(bad)
                    .isEqualTo("mixing aggregate and non-aggregate queries is not supported");
        }
    }

    @Test
    void medianPercentileSpreadAndStddevFollowInfluxDb() {
        InfluxQlResponse.Series s = only(f.run("SELECT median(usage_user), percentile(usage_user, 50), "
                + "percentile(usage_user, 90), spread(usage_user), stddev(usage_user) FROM cpu WHERE host = 'h1' AND "
                + range(0, 120)));
        assertThat(s.columns()).containsExactly("time", "median", "percentile", "percentile_1", "spread", "stddev");
        List<Object> v = s.values().get(0);
        assertThat(v.subList(1, 5))
                .as("nearest rank: 50% of 6 is the 3rd, 90% the 5th")
                .containsExactly(5.0, 3.0, 9.0, 9.0);
        double mean = 32.0 / 6;
        double variance = 0;
        for (double x : new double[] {1, 2, 3, 7, 9, 10}) {
            variance += (x - mean) * (x - mean);
        }
        assertThat((Double) v.get(5)).isCloseTo(Math.sqrt(variance / 5), within(1e-9));
        assertThat(f.sql)
                .anySatisfy(sql -> assertThat(sql)
                        .startsWith("SELECT MAX(\"usage_user\"), MIN(\"usage_user\"), "
                                + "STDDEV_SAMP(\"usage_user\") FROM \"cpu\""));
        assertThat(f.sql).anySatisfy(sql -> assertThat(sql).startsWith("SELECT \"ts\", \"usage_user\" FROM \"cpu\""));
    }

    @Test
    void arithmeticAliasesAndRepeatedNames() {
        InfluxQlResponse.Series s = only(f.run("SELECT mean(usage_user) * 100 AS \"pct\", mean(usage_user), "
                + "max(usage_user) / min(usage_user), mean(usage_user), count(usage_user) / 4 FROM cpu WHERE host = 'h1' AND "
                + range(0, 120)));
        assertThat(s.columns()).containsExactly("time", "pct", "mean", "max_min", "mean_1", "count");
        assertThat(s.values().get(0))
                .containsExactly("2024-12-05T12:00:00Z", 32.0 / 6 * 100, 32.0 / 6, 10.0, 32.0 / 6, 1.5);
    }

    @Test
    void rawSelectsReturnPointsWithSelectedTagsAndPushTheirLimit() {
        assertThat(only(f.run("SELECT usage_user, host FROM cpu WHERE region = 'us'"))
                        .values())
                .containsExactly(
                        row("2024-12-05T12:00:00Z", 10.0, "h2"),
                        row("2024-12-05T12:00:30Z", 20.0, "h2"),
                        row("2024-12-05T12:01:30Z", 50.0, "h2"));
        f.sql.clear();
        assertThat(only(f.run("SELECT usage_user FROM cpu WHERE region = 'us' ORDER BY time DESC LIMIT 2"))
                        .values())
                .containsExactly(row("2024-12-05T12:01:30Z", 50.0), row("2024-12-05T12:00:30Z", 20.0));
        assertThat(f.sql).singleElement().asString().endsWith("ORDER BY \"ts\" DESC LIMIT 2");
        InfluxQlResponse.Series star = only(f.run("SELECT * FROM cpu WHERE host = 'h2' LIMIT 1"));
        assertThat(star.columns())
                .containsExactly("time", "host", "region", "usage_idle", "usage_system", "usage_user");
        assertThat(star.values()).containsExactly(row("2024-12-05T12:00:00Z", "h2", "us", null, null, 10.0));
        List<InfluxQlResponse.Series> perHost = f.run("SELECT * FROM cpu WHERE " + range(0, 10) + " GROUP BY host")
                .results()
                .get(0)
                .series();
        assertThat(perHost)
                .extracting(InfluxQlResponse.Series::columns)
                .containsOnly(List.of("time", "region", "usage_idle", "usage_system", "usage_user"));
        assertThat(perHost.get(0).values())
                .containsExactly(
                        row("2024-12-05T12:00:00Z", "eu", null, null, 1.0),
                        row("2024-12-05T12:00:10Z", "eu", null, null, 2.0));
    }

    @Test
    void timeBoundsInEveryFormGrafanaAndTheCliSend() {
        String count = "SELECT count(usage_user) FROM cpu WHERE host = 'h1' AND ";
        for (String bound : List.of(
                "time > '2024-12-05T12:00:20Z'",
                "time >= '2024-12-05 12:00:21'",
                "time > 1733400020s",
                "time >= 1733400021000ms",
                "time > 1733400020000000000",
                "time >= now() - 9m30s",
                "'2024-12-05T12:00:20Z' < time")) {
            assertThat(only(f.run(count + bound)).values().get(0).get(1))
                    .as(bound)
                    .isEqualTo(3L);
        }
        assertThat(only(f.run(count + "time >= now() - 10m and time <= now() GROUP BY time(5m)"))
                        .values())
                .containsExactly(
                        row("2024-12-05T12:00:00Z", 6L),
                        row("2024-12-05T12:05:00Z", 0L),
                        row("2024-12-05T12:10:00Z", 0L));
    }

    @Test
    void measurementsByRegexShareTheirColumnsAndComeInNameOrder() {
        List<InfluxQlResponse.Series> series = f.run("SELECT max(*) FROM /^(cpu|net)$/ WHERE " + range(0, 90))
                .results()
                .get(0)
                .series();
        assertThat(series).extracting(InfluxQlResponse.Series::name).containsExactly("cpu", "net");
        assertThat(series.get(0).columns())
                .containsExactly(
                        "time",
                        "max_bytes_recv",
                        "max_bytes_sent",
                        "max_usage_idle",
                        "max_usage_system",
                        "max_usage_user");
        assertThat(series.get(0).values()).containsExactly(row("2024-12-05T12:00:00Z", null, null, 50.0, null, 50.0));
        assertThat(series.get(1).values()).containsExactly(row("2024-12-05T12:00:00Z", 450.0, null, null, null, null));
    }

    @Test
    void aTimeFieldIsNotAColumnButItsAliasNamesTheTimeColumn() {
        InfluxQlResponse.Series s = only(f.run("SELECT time AS \"t\", usage_user FROM cpu WHERE host = 'h2' LIMIT 1"));
        assertThat(s.columns()).containsExactly("t", "usage_user");
        assertThat(s.values()).containsExactly(row("2024-12-05T12:00:00Z", 10.0));
    }

    @Test
    void seriesAndPointLimitsAndOffsets() {
        InfluxQlResponse r = f.run("SELECT max(usage_user) FROM cpu WHERE " + range(0, 90)
                + " GROUP BY time(30s), host fill(none) LIMIT 1 OFFSET 1 SLIMIT 1 SOFFSET 1");
        assertThat(only(r).tags()).isEqualTo(Map.of("host", "h2"));
        assertThat(only(r).values()).containsExactly(row("2024-12-05T12:00:30Z", 20.0));
    }

    @Test
    void timeZonesShiftTheTimesAndTheDayBuckets() {
        assertThat(only(f.run("SELECT max(usage_user) FROM cpu WHERE host = 'h1' AND " + range(0, 60)
                                + " GROUP BY time(1m) fill(none) tz('Europe/Paris')"))
                        .values())
                .containsExactly(row("2024-12-05T13:00:00+01:00", 3.0), row("2024-12-05T13:01:00+01:00", 7.0));
        f.sql.clear();
        assertThat(only(f.run("SELECT max(usage_user) FROM cpu WHERE host = 'h1' AND time >= '2024-12-05' AND "
                                + "time < '2024-12-06' GROUP BY time(1d) tz('Europe/Paris')"))
                        .values())
                .containsExactly(row("2024-12-05T00:00:00+01:00", 10.0));
        assertThat(f.sql)
                .singleElement()
                .asString()
                .contains(
                        "time_bucket(INTERVAL '1' DAY, \"ts\", 'Europe/Paris')",
                        "\"ts\" >= TIMESTAMP '2024-12-04 23:00:00'");
    }

    private List<List<Object>> values(String q) {
        InfluxQlResponse.Series s = only(f.runMs(q));
        return s.values().stream()
                .map(v -> {
                    List<Object> out = row(((Long) v.get(0) - T0) / 1000);
                    out.addAll(v.subList(1, v.size()));
                    return out;
                })
                .toList();
    }
}
