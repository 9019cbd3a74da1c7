package io.meridian.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.QueryTimeoutException;
import io.meridian.common.model.FieldType;
import io.meridian.common.query.AggCall;
import io.meridian.common.query.QueryExecutor;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Names users really give tags and fields (ones that start with {@code a}, that look like generated aliases, that
 * are SQL keywords), statements without a time range on a long-retention database, and one session behaviour for
 * HTTP ({@link SqlEngine#execute}) and JDBC ({@link SqlEngine#connect}): the same errors, nothing run twice.
 */
class SqlNamesAndSessionTest {
    private static final long TEN_YEARS = Duration.ofDays(3650).toMillis();

    private final List<QuerySpec> specs = new ArrayList<>();
    /** When set, the executor fails with it (after recording the spec). */
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    private final Catalog catalog = new TestCatalog()
            .database("tel", 10_000, TEN_YEARS)
            .metric(
                    "req",
                    List.of("a0", "abc", "arch", "value"),
                    "count",
                    FieldType.SUM,
                    "min",
                    FieldType.GAUGE,
                    "time",
                    FieldType.GAUGE);

    /** One row per spec: ts = start, tag values "<tag>-v", aggregates 1, 2, 3, ... in selection order. */
    private final QueryExecutor executor = spec -> {
        specs.add(spec);
        if (failure.get() != null) {
            throw failure.get();
        }
        List<QueryResult.Column> cols = new ArrayList<>();
        List<Object> row = new ArrayList<>();
        if (spec.bucketMs() > 0) {
            cols.add(new QueryResult.Column("ts", QueryResult.Type.TIMESTAMP));
            row.add(spec.startMs());
        }
        for (String g : spec.groupBy()) {
            cols.add(new QueryResult.Column(g, QueryResult.Type.VARCHAR));
            row.add(g + "-v");
        }
        for (int i = 0; i < spec.selections().size(); i++) {
            AggCall s = spec.selections().get(i);
            boolean count = s.function() == QueryFunction.COUNT;
            cols.add(new QueryResult.Column(s.alias(), count ? QueryResult.Type.BIGINT : QueryResult.Type.DOUBLE));
            row.add(count ? (Object) (long) (i + 1) : (Object) (double) (i + 1));
        }
        return new QueryResult(cols, List.of(row), List.of());
    };

    private final SqlEngine engine = new SqlEngine(catalog, executor, Duration.ofSeconds(10), 1000);

    private QuerySpec lastSpec() {
        return specs.get(specs.size() - 1);
    }

    @Test
    void tagsStartingWithAOrShapedLikeAliasesGroupAndAggregate() {
        SqlAnswer arch = engine.execute("tel", "SELECT arch, COUNT(min) FROM req GROUP BY arch");
        assertThat(lastSpec().groupBy()).containsExactly("arch");
        assertThat(arch.rows()).containsExactly(List.of("arch-v", 1L));

        SqlAnswer a0 = engine.execute("tel", "SELECT a0, abc, MAX(min) AS a1, MIN(min) FROM req GROUP BY a0, abc");
        assertThat(lastSpec().selections())
                .extracting(AggCall::alias)
                .as("aliases no name can take")
                .containsExactly("$0", "$1");
        assertThat(a0.columns()).extracting(SqlAnswer.Column::name).containsExactly("a0", "abc", "a1", "EXPR$3");
        assertThat(a0.rows()).containsExactly(List.of("a0-v", "abc-v", 1.0, 2.0));
    }

    @Test
    void keywordNamesWorkUnquotedWhereTheGrammarAllows() {
        SqlAnswer sum =
                engine.execute("tel", "SELECT value, SUM(count), MAX(min) FROM req GROUP BY value ORDER BY value");
        assertThat(lastSpec().groupBy()).containsExactly("value");
        assertThat(lastSpec().selections()).extracting(AggCall::field).containsExactly("count", "min");
        assertThat(sum.rows()).containsExactly(List.of("value-v", 1.0, 2.0));
        assertThat(engine.execute("tel", "SELECT MAX(\"time\") FROM req").rows())
                .containsExactly(List.of(1.0));
    }

    @Test
    void aReservedWordUsedAsANameGetsAHintToQuoteIt() {
        assertThatThrownBy(() -> engine.execute("tel", "SELECT MAX(time) FROM req"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("line=1, column=12")
                .hasMessageContaining("quote it as \"time\"");
        assertThat(specs).as("nothing ran").isEmpty();
    }

    @Test
    void aStatementWithoutATimeRangeAsksForTheRetentionOnTheBucketGrid() {
        long before = System.currentTimeMillis();
        engine.execute("tel", "SELECT FLOOR(ts TO HOUR) AS h, SUM(count) FROM req GROUP BY FLOOR(ts TO HOUR)");
        assertThat(specs).as("one distributed query, no partial first bucket").hasSize(1);
        QuerySpec spec = lastSpec();
        assertThat(spec.bucketMs()).isEqualTo(3_600_000);
        assertThat(spec.startMs() % 3_600_000).isZero();
        assertThat(spec.startMs()).isBetween(before - TEN_YEARS - 3_600_000, before - TEN_YEARS);
        assertThat(spec.endMs()).isGreaterThan(before);
    }

    @Test
    void aStatementThatFailsWhileExecutingRunsOnce() {
        failure.set(new QueryTimeoutException("query timed out [query=q1]: no answer in 10000ms"));
        String sql = "SELECT arch, MAX(min) FROM req WHERE arch = 'x86' GROUP BY arch";
        assertThatThrownBy(() -> engine.execute("tel", sql)).isInstanceOf(QueryTimeoutException.class);
        assertThat(specs).as("no second fan-out").hasSize(1);
        failure.set(null);
        assertThat(engine.execute("tel", sql).rows())
                .as("the next run plans again and succeeds")
                .containsExactly(List.of("arch-v", 1.0));
    }

    @Test
    void jdbcGetsTheSameAnswersAndErrorTextsAsHttp() throws SQLException {
        List<String> statements = List.of(
                "SELECT arch, COUNT(min) FROM req GROUP BY arch",
                "SELECT value, LAST(min), FIRST(count) FROM req GROUP BY value",
                "SELECT nosuch FROM req",
                "SELECT MAX(time) FROM req",
                "SELECT * FROM reqs",
                "SELEC 1");
        try (Connection c = engine.connect("tel");
                Statement st = c.createStatement()) {
            for (String sql : statements) {
                String http;
                List<List<Object>> httpRows = null;
                try {
                    httpRows = engine.execute("tel", sql).rows();
                    http = null;
                } catch (InvalidInputException e) {
                    http = e.getMessage();
                }
                if (http == null) {
                    try (ResultSet rs = st.executeQuery(sql)) {
                        List<List<Object>> rows = new ArrayList<>();
                        while (rs.next()) {
                            List<Object> row = new ArrayList<>();
                            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                                row.add(rs.getObject(i));
                            }
                            rows.add(row);
                        }
                        assertThat(rows).as(sql).isEqualTo(httpRows);
                    }
                } else {
                    String expected = http;
                    assertThatThrownBy(() -> st.executeQuery(sql))
                            .as(sql)
                            .isInstanceOf(SQLException.class)
                            .hasMessage(expected);
                    assertThatThrownBy(() -> c.prepareStatement(sql))
                            .as(sql)
                            .isInstanceOf(SQLException.class)
                            .hasMessage(expected);
                }
            }
        }
    }

    /**
     * A JDBC statement runs through the same literal lifting and shared plan cache as HTTP: the same statement with
     * another tag value, from HTTP and then from two JDBC statements, is planned once; a result set given back
     * returns its plan to the cache, and a failure while executing still runs once.
     */
    @Test
    void jdbcStatementsShareTheLiteralLiftingPlanCacheWithHttp() throws SQLException {
        String sql = "SELECT arch, MAX(min) FROM req WHERE arch = '%s' GROUP BY arch";
        engine.execute("tel", sql.formatted("x86"));
        assertThat(engine.idleStatements()).isEqualTo(1);
        try (Connection c = engine.connect("tel");
                Statement a = c.createStatement();
                Statement b = c.createStatement()) {
            try (ResultSet rs = a.executeQuery(sql.formatted("arm"))) {
                assertThat(engine.idleStatements()).as("checked out while open").isZero();
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("arch-v");
            }
            assertThat(engine.idleStatements()).as("given back when closed").isEqualTo(1);
            assertThat(b.execute(sql.formatted("riscv"))).isTrue();
            assertThat(b.getUpdateCount()).isEqualTo(-1);
            assertThat(b.getResultSet().next()).isTrue();
            assertThat(b.getMoreResults()).isFalse();
            assertThat(engine.idleStatements()).isEqualTo(1);
            assertThat(specs)
                    .extracting(q -> q.filter().toString())
                    .as("each run with its own value")
                    .anySatisfy(f -> assertThat(f).contains("riscv"));
            failure.set(new QueryTimeoutException("query timed out [query=q2]: no answer in 10000ms"));
            int before = specs.size();
            assertThatThrownBy(() -> a.executeQuery(sql.formatted("s390")))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("query timed out [query=q2]");
            assertThat(specs).as("no second fan-out").hasSize(before + 1);
        }
    }
}
