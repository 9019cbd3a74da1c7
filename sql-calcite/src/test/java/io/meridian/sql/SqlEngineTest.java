package io.meridian.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.common.query.QueryExecutor;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import io.meridian.common.query.TagCondition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Planning and pushdown against a catalog in memory and an executor that records the specs it is given and
 * answers one row per spec (so what SQL does with the answer is visible too).
 */
class SqlEngineTest {
    private static final long H5 = Instant.parse("2026-01-01T05:00:00Z").toEpochMilli();

    private final List<QuerySpec> specs = new ArrayList<>();

    private final Catalog catalog = new Catalog() {
        final Database db = new Database("tsbs", 10_000, Duration.ofDays(30).toMillis());
        final Metric cpu = new Metric("cpu", List.of("hostname", "region"), fields());

        private static Map<String, FieldType> fields() {
            Map<String, FieldType> f = new LinkedHashMap<>();
            f.put("usage_user", FieldType.GAUGE);
            f.put("usage_system", FieldType.GAUGE);
            return f;
        }

        @Override
        public List<Database> databases() {
            return List.of(db);
        }

        @Override
        public Optional<Database> database(String name) {
            return name.equals("tsbs") ? Optional.of(db) : Optional.empty();
        }

        @Override
        public List<String> metrics(String database) {
            return database.equals("tsbs") ? List.of("cpu") : List.of();
        }

        @Override
        public Optional<Metric> metric(String database, String metric) {
            return database.equals("tsbs") && metric.equals("cpu") ? Optional.of(cpu) : Optional.empty();
        }

        @Override
        public List<String> tagValues(String database, String metric, String tagKey, int limit) {
            return List.of();
        }
    };

    /** One row per spec: ts = start, tags = "h", numbers = 7 (count 3). */
    private final QueryExecutor executor = spec -> {
        specs.add(spec);
        List<QueryResult.Column> cols = new ArrayList<>();
        List<Object> row = new ArrayList<>();
        if (spec.bucketMs() > 0) {
            cols.add(new QueryResult.Column("ts", QueryResult.Type.TIMESTAMP));
            row.add(spec.startMs());
        }
        for (String g : spec.groupBy()) {
            cols.add(new QueryResult.Column(g, QueryResult.Type.VARCHAR));
            row.add("h");
        }
        spec.selections().forEach(s -> {
            boolean count = s.function() == QueryFunction.COUNT;
            cols.add(new QueryResult.Column(s.alias(), count ? QueryResult.Type.BIGINT : QueryResult.Type.DOUBLE));
            row.add(count ? (Object) 3L : (Object) 7.0);
        });
        return new QueryResult(cols, List.of(row), List.of());
    };

    private final SqlEngine engine = new SqlEngine(catalog, executor, Duration.ofSeconds(10), 1000);

    private String explain(String sql) {
        SqlAnswer a = engine.execute("tsbs", "EXPLAIN PLAN FOR " + sql);
        StringBuilder sb = new StringBuilder();
        a.rows().forEach(r -> sb.append(r.get(0)).append('\n'));
        return sb.toString();
    }

    @Test
    void singleGroupByPushesFilterBucketAggregateAndOrder() {
        String sql = "SELECT FLOOR(ts TO MINUTE) AS t, MAX(usage_user) AS m FROM cpu WHERE hostname = 'host_7' "
                + "AND ts >= TIMESTAMP '2026-01-01 05:00:00' AND ts < TIMESTAMP '2026-01-01 06:00:00' GROUP BY FLOOR(ts TO MINUTE) ORDER BY 1";
        String plan = explain(sql);
        assertThat(plan)
                .contains(
                        "MeridianQuery",
                        "hostname='host_7'",
                        "bucket=60000ms",
                        "aggregates=[max(usage_user)]",
                        "orderBy=[ts]")
                .doesNotContain("EnumerableAggregate")
                .doesNotContain("EnumerableFilter");
        SqlAnswer a = engine.execute("tsbs", sql);
        QuerySpec spec = specs.get(specs.size() - 1);
        assertThat(spec.startMs()).isEqualTo(H5);
        assertThat(spec.endMs()).isEqualTo(H5 + 3_600_000);
        assertThat(spec.filter()).isEqualTo(TagCondition.eq("hostname", "host_7"));
        assertThat(a.columns()).extracting(SqlAnswer.Column::name).containsExactly("t", "m");
        assertThat(a.rows()).containsExactly(List.of("2026-01-01T05:00:00Z", 7.0));
    }

    /**
     * {@code SELECT DISTINCT tag} and {@code COUNT(DISTINCT tag)} push a row count that no output column reads: the
     * spec says the leaves need only say which groups have a row. A statement that outputs {@code COUNT(*)} counts.
     */
    @Test
    void distinctTagsAskTheLeavesOnlyWhichGroupsHaveARow() {
        engine.execute("tsbs", "SELECT DISTINCT hostname FROM cpu");
        QuerySpec distinct = specs.get(specs.size() - 1);
        assertThat(distinct.rowsExistOnly()).isTrue();
        assertThat(distinct.leafRequest().getRowsExistOnly()).isTrue();
        engine.execute("tsbs", "SELECT COUNT(DISTINCT hostname) FROM cpu");
        assertThat(specs.get(specs.size() - 1).rowsExistOnly()).isTrue();
        engine.execute("tsbs", "SELECT hostname, COUNT(*) FROM cpu GROUP BY hostname");
        QuerySpec counted = specs.get(specs.size() - 1);
        assertThat(counted.rowsExistOnly()).isFalse();
        assertThat(counted.leafRequest().getRowsExistOnly()).isFalse();
        engine.execute("tsbs", "SELECT hostname FROM cpu GROUP BY hostname HAVING COUNT(*) > 1");
        assertThat(specs.get(specs.size() - 1).rowsExistOnly())
                .as("HAVING reads the count")
                .isFalse();
    }

    /**
     * A statement that differs from one run before only in its lifted literals (a dashboard's refresh: another host,
     * another hour) is normalized from the first one's shape, without a parse, and runs with its own values.
     */
    @Test
    void aRefreshWithOtherLiteralsRunsWithItsOwnValues() {
        for (int hour = 5; hour < 8; hour++) {
            String host = "host_" + hour;
            engine.execute(
                    "tsbs",
                    "SELECT MAX(usage_user) FROM cpu WHERE hostname = '" + host + "' AND ts >= TIMESTAMP '2026-01-01 0"
                            + hour + ":00:00' AND ts < TIMESTAMP '2026-01-01 0" + hour + ":30:00'");
            QuerySpec spec = specs.get(specs.size() - 1);
            long start = H5 + (hour - 5) * 3_600_000L;
            assertThat(spec.filter()).isEqualTo(TagCondition.eq("hostname", host));
            assertThat(spec.startMs()).isEqualTo(start);
            assertThat(spec.endMs()).isEqualTo(start + 1_800_000);
        }
        assertThat(engine.normalizedByShape())
                .as("the second and third refresh")
                .isEqualTo(2);
    }

    /**
     * The normalization is shared by every thread: a client that opens a connection per request lands on any HTTP
     * worker, and the second worker must not parse a shape the first one already normalized.
     */
    @Test
    void aShapeNormalizedOnOneThreadIsReusedByAnother() throws Exception {
        String sql = "SELECT MAX(usage_user) FROM cpu WHERE hostname = '%s' AND ts >= TIMESTAMP '2026-01-01 05:00:00'"
                + " AND ts < TIMESTAMP '2026-01-01 05:30:00'";
        engine.execute("tsbs", sql.formatted("host_1"));
        long before = engine.normalizedByShape();
        Thread other = new Thread(() -> engine.execute("tsbs", sql.formatted("host_2")));
        other.start();
        other.join(30_000);
        assertThat(engine.normalizedByShape()).as("host_2 on another thread").isEqualTo(before + 1);
        assertThat(specs.get(specs.size() - 1).filter()).isEqualTo(TagCondition.eq("hostname", "host_2"));
    }

    @Test
    void avgAndSumReducedByCalciteArePushedToo() {
        String range = " ts >= TIMESTAMP '2026-01-01 05:00:00' AND ts < TIMESTAMP '2026-01-01 06:00:00'";
        String plan =
                explain("SELECT FLOOR(ts TO MINUTE) AS t, hostname, SUM(usage_user), AVG(usage_user) FROM cpu WHERE"
                        + range + " GROUP BY hostname, FLOOR(ts TO MINUTE) ORDER BY hostname, t");
        assertThat(plan)
                .contains("bucket=60000ms", "groupBy=[hostname]", "orderBy=[hostname, ts]")
                .doesNotContain("EnumerableAggregate")
                .doesNotContain("EnumerableSort");
    }

    @Test
    void timeBucketGroupsLikeFloorAndIsPushed() {
        String sql = "SELECT time_bucket(INTERVAL '5' MINUTE, ts) AS b, MAX(usage_user) FROM cpu WHERE ts >= TIMESTAMP "
                + "'2026-01-01 05:00:00' AND ts < TIMESTAMP '2026-01-01 06:00:00' GROUP BY time_bucket(INTERVAL '5' MINUTE, ts)";
        assertThat(explain(sql)).contains("bucket=300000ms").doesNotContain("EnumerableAggregate");
        assertThat(engine.execute("tsbs", sql).rows()).containsExactly(List.of("2026-01-01T05:00:00Z", 7.0));
        assertThat(engine.execute("tsbs", "SELECT time_bucket(INTERVAL '1' HOUR, TIMESTAMP '2026-01-01 05:59:59')")
                        .rows())
                .containsExactly(List.of("2026-01-01T05:00:00Z"));
    }

    @Test
    void firstLastAndPercentileArePushedAndRefusedElsewhere() {
        String plan = explain(
                "SELECT hostname, last(usage_user), First (usage_system), PERCENTILE(usage_user, 0.99) FROM cpu "
                        + "GROUP BY hostname");
        assertThat(plan)
                .contains("aggregates=[last(usage_user), first(usage_system), percentile(usage_user, 0.99)]")
                .doesNotContain("EnumerableAggregate");
        assertThat(specs).isEmpty();
        engine.execute(
                "tsbs", "SELECT hostname, LAST(usage_user), PERCENTILE(usage_user, 0.5) FROM cpu GROUP BY hostname");
        QuerySpec spec = specs.get(specs.size() - 1);
        assertThat(spec.selections().get(1).quantile()).isEqualTo(0.5);
        assertThatThrownBy(() -> engine.execute(
                        "tsbs",
                        "SELECT hostname, LAST(usage_user) FROM cpu WHERE usage_user > 1 " + "GROUP BY hostname"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("LAST")
                .hasMessageContaining("directly on a metric's field");
    }

    /** FIRST_TIME(x) / LAST_TIME(x), the time of x's first / last point, are pushed like FIRST and LAST. */
    @Test
    void firstAndLastPointTimesArePushedAndRefusedElsewhere() {
        assertThat(explain(
                        "SELECT hostname, LAST(usage_user), LAST_TIME(usage_user), first_time(usage_system) FROM cpu "
                                + "GROUP BY hostname"))
                .contains("aggregates=[last(usage_user), last_time(usage_user), first_time(usage_system)]")
                .doesNotContain("EnumerableAggregate");
        assertThatThrownBy(() -> engine.execute(
                        "tsbs",
                        "SELECT hostname, LAST_TIME(usage_user) FROM cpu WHERE usage_user > 1 GROUP BY hostname"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("LAST_TIME");
        assertThat(explain("SELECT hostname, MAX(usage_user), MAX_TIME(usage_user), min_time(usage_system) FROM cpu "
                        + "GROUP BY hostname"))
                .as("MIN_TIME(x) / MAX_TIME(x), the time of the point holding x's minimum / maximum, likewise")
                .contains("aggregates=[max(usage_user), max_time(usage_user), min_time(usage_system)]")
                .doesNotContain("EnumerableAggregate");
        assertThatThrownBy(() -> engine.execute(
                        "tsbs",
                        "SELECT hostname, MAX_TIME(usage_user) FROM cpu WHERE usage_user > 1 GROUP BY hostname"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("MAX_TIME");
    }

    @Test
    void firstAndLastCallsAreQuotedOutsideLiteralsAndComments() {
        assertThat(FunctionNames.rewrite("SELECT last(x), FIRST (y), t.last(z), 'LAST(a)', \"FIRST\"(b), last_value(c) "
                        + "-- LAST(d)\n FROM m /* FIRST(e) */"))
                .isEqualTo("SELECT \"LAST\"(x), \"FIRST\" (y), t.last(z), 'LAST(a)', \"FIRST\"(b), last_value(c) "
                        + "-- LAST(d)\n FROM m /* FIRST(e) */");
        assertThat(FunctionNames.rewrite("SELECT now(), NOW ( ), x.now(), now(1), 'now()' FROM m"))
                .isEqualTo("SELECT CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, x.now(), now(1), 'now()' FROM m");
    }

    @Test
    void informationSchemaListsDatabasesMetricsTagsAndFields() {
        assertThat(engine.execute("tsbs", "SELECT database, metric FROM information_schema.metrics")
                        .rows())
                .containsExactly(List.of("tsbs", "cpu"));
        assertThat(engine.execute("tsbs", "SELECT tag FROM information_schema.tags WHERE metric = 'cpu' ORDER BY tag")
                        .rows())
                .containsExactly(List.of("hostname"), List.of("region"));
        assertThat(engine.execute(null, "SELECT field, type FROM information_schema.fields ORDER BY field")
                        .rows())
                .containsExactly(List.of("usage_system", "gauge"), List.of("usage_user", "gauge"));
        assertThat(engine.execute(null, "SELECT database, base_interval_ms FROM information_schema.databases")
                        .rows())
                .containsExactly(List.of("tsbs", 10_000L));
    }

    @Test
    void regexLikeIsPushedAsARegexOverTheWholeValue() {
        assertThat(
                        explain(
                                "SELECT hostname, MAX(usage_user) FROM cpu WHERE REGEXP_LIKE(hostname, 'host_[12]$') GROUP BY hostname"))
                .contains("hostname ~ '.*(?:host_[12]$).*'")
                .doesNotContain("EnumerableAggregate");
    }

    @Test
    void whatCannotBePushedRunsAbove() {
        String having = explain("SELECT hostname, MAX(usage_user) FROM cpu WHERE region IN ('eu', 'us') "
                + "GROUP BY hostname HAVING MAX(usage_user) > 5");
        assertThat(having)
                .contains("region IN [eu, us]", "groupBy=[hostname]", "$condition")
                .doesNotContain("EnumerableAggregate");
        String fieldFilter =
                explain("SELECT hostname, AVG(usage_user) FROM cpu WHERE usage_user > 90 GROUP BY hostname");
        assertThat(fieldFilter).contains("scan=slots", "EnumerableAggregate", "$condition");
        assertThat(engine.execute("tsbs", "SELECT hostname, MAX(usage_user) + 1 AS x FROM cpu GROUP BY hostname")
                        .rows())
                .containsExactly(List.of("h", 8.0));
    }

    @Test
    void relativeTimeIsResolvedWhenTheStatementRuns() {
        long before = System.currentTimeMillis();
        engine.execute("tsbs", "SELECT MAX(usage_user) FROM cpu WHERE ts >= now() - INTERVAL '1' HOUR");
        QuerySpec spec = specs.get(specs.size() - 1);
        assertThat(spec.startMs())
                .isBetween(before - 3_600_000 - 10_000, System.currentTimeMillis() - 3_600_000 + 10_000);
        assertThat(spec.startMs() % 10_000).as("aligned to the slots").isZero();
    }

    @Test
    void aRepeatedStatementIsPlannedOnceAndRunEachTime() {
        String sql =
                "SELECT hostname, MAX(usage_user) FROM cpu WHERE ts >= now() - INTERVAL '1' HOUR GROUP BY hostname";
        SqlAnswer first = engine.execute("tsbs", sql);
        int before = specs.size();
        SqlAnswer second = engine.execute("tsbs", sql);
        assertThat(specs).as("executed again").hasSize(before + 1);
        assertThat(second.rows()).isEqualTo(first.rows());
        assertThat(specs.get(before).startMs())
                .as("now() resolved at each run")
                .isGreaterThanOrEqualTo(specs.get(before - 1).startMs());
        assertThat(explain(sql)).as("now() is never folded into the plan").contains("time=[now()-3600000ms");
        assertThatThrownBy(() -> engine.execute("tsbs", "SELECT nosuch FROM cpu"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> engine.execute("tsbs", "SELECT nosuch FROM cpu"))
                .as("a failure is not cached")
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void tagAndTimeParametersArePushedAndBoundAtEachRun() throws Exception {
        try (Connection c = engine.connect("tsbs");
                PreparedStatement ps = c.prepareStatement(
                        "SELECT FLOOR(ts TO MINUTE) AS t, MAX(usage_user) FROM cpu "
                                + "WHERE hostname = ? AND region IN (?, 'eu') AND ts >= ? AND ts < ? GROUP BY FLOOR(ts TO MINUTE)")) {
            for (String host : List.of("host_1", "host_2")) {
                ps.setString(1, host);
                ps.setString(2, "us");
                ps.setTimestamp(3, new Timestamp(H5));
                ps.setTimestamp(4, new Timestamp(H5 + 3_600_000));
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
                QuerySpec spec = specs.get(specs.size() - 1);
                assertThat(spec.bucketMs()).as("pushed, not a scan").isEqualTo(60_000);
                assertThat(spec.filter())
                        .isEqualTo(TagCondition.and(List.of(
                                TagCondition.eq("hostname", host), TagCondition.in("region", List.of("us", "eu")))));
                assertThat(spec.startMs()).isEqualTo(H5);
            }
        }
    }

    @Test
    void statementsDifferingOnlyInLiteralsShareAPlanAndBindTheirOwnValues() {
        String sql =
                "SELECT FLOOR(ts TO MINUTE) AS t, MAX(usage_user) FROM cpu WHERE hostname = '%s' AND ts >= TIMESTAMP '%s' "
                        + "AND ts < TIMESTAMP '%s' GROUP BY FLOOR(ts TO MINUTE) ORDER BY t";
        assertThat(LiteralParameters.normalize(sql.formatted("h", "2026-01-01 05:00:00", "2026-01-01 06:00:00"))
                        .sql())
                .contains("\"hostname\" = ? AND \"ts\" >= ? AND \"ts\" < ?");
        engine.execute("tsbs", sql.formatted("host_1", "2026-01-01 05:00:00", "2026-01-01 06:00:00"));
        SqlAnswer second =
                engine.execute("tsbs", sql.formatted("host_2", "2026-01-01 06:00:00", "2026-01-01 07:00:00"));
        QuerySpec spec = specs.get(specs.size() - 1);
        assertThat(spec.filter()).isEqualTo(TagCondition.eq("hostname", "host_2"));
        assertThat(spec.startMs()).isEqualTo(H5 + 3_600_000);
        assertThat(spec.bucketMs()).isEqualTo(60_000);
        assertThat(second.rows()).containsExactly(List.of("2026-01-01T06:00:00Z", 7.0));
        assertThatThrownBy(() -> engine.execute("tsbs", "SELECT nosuch FROM cpu WHERE hostname = 'x'"))
                .as("errors still point into the statement as written")
                .hasMessageContaining("line=1, column=8");
    }

    @Test
    void sqlErrorsNameThePositionAndReason() {
        assertThatThrownBy(() -> engine.execute("tsbs", "SELECT nosuch FROM cpu"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("line=1, column=8")
                .hasMessageContaining("nosuch");
        assertThatThrownBy(() -> engine.execute("tsbs", "SELECT * FROM mem"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("mem")
                .hasMessageContaining("tables of tsbs: cpu");
        assertThatThrownBy(() -> engine.execute("tsbs", "SELECT hostnme FROM cpu"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("did you mean 'hostname'?");
        assertThatThrownBy(() -> engine.execute("tsbs", "SELECT MAX(usage_usr) FROM cpu"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("did you mean 'usage_user'");
        assertThatThrownBy(() -> engine.execute("tsbs", "SELECT * FROM cpux"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("did you mean 'cpu'?");
        assertThatThrownBy(() -> engine.execute("tsbs", "SELEC 1"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("line=1, column=1");
        assertThatThrownBy(() -> engine.execute("nodb", "SELECT 1"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("nodb");
    }
}
