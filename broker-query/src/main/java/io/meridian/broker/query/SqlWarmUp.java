package io.meridian.broker.query;

import io.meridian.common.model.FieldType;
import io.meridian.common.query.FieldRead;
import io.meridian.common.query.PartialTable;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import io.meridian.sql.Catalog;
import io.meridian.sql.SqlEngine;
import io.meridian.sql.influxql.Epoch;
import io.meridian.sql.influxql.InfluxQlResponse;
import io.meridian.sql.influxql.InfluxQlService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans and runs a few statements of the shapes users send first (SQL with GROUP BY a tag and a time bucket, COUNT(*),
 * a raw read with LIMIT, EXPLAIN, and the InfluxQL of a Grafana panel) over a catalog of its own and an executor that
 * answers nothing, so that the JVM's one-time cost of the SQL planner (Calcite's classes, its rules, the metadata
 * handlers Janino generates; about 3 s of CPU on two cores) is paid at start, not by the first query a user sends.
 * Nothing of the broker's own engine, catalog or cluster is touched: only the JVM is warmed.
 */
public final class SqlWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(SqlWarmUp.class);
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final String DATABASE = "warmup";
    private static final List<String> SQL = List.of(
            "SELECT host, time_bucket(INTERVAL '1' MINUTE, ts) AS minute, AVG(usage), MAX(usage) FROM cpu"
                    + " WHERE ts >= TIMESTAMP '2026-01-01 00:00:00' AND ts < TIMESTAMP '2026-01-01 01:00:00'"
                    + " AND host = 'a' GROUP BY host, time_bucket(INTERVAL '1' MINUTE, ts) ORDER BY minute",
            "SELECT COUNT(*) FROM cpu",
            "SELECT * FROM cpu WHERE ts >= now() - INTERVAL '1' HOUR LIMIT 10",
            "EXPLAIN PLAN FOR SELECT host, LAST(usage) FROM cpu GROUP BY host");
    private static final List<String> INFLUXQL = List.of("SELECT max(\"usage\") FROM \"cpu\" WHERE (\"host\"::tag ="
            + " 'a') AND time >= 1767225600000ms and time <= 1767229199999ms GROUP BY time(1m) fill(null)");

    private SqlWarmUp() {}

    /** Starts the warm-up on a background thread, once per JVM; the caller does not wait for it. */
    public static void startOnce() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(
                () -> {
                    long t0 = System.nanoTime();
                    List<String> failures = run();
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (failures.isEmpty()) {
                        LOG.info("SQL planner warmed up [statements={}, ms={}]", SQL.size() + INFLUXQL.size(), ms);
                    } else {
                        LOG.warn("SQL planner warm-up: some statements failed [ms={}, failures={}]", ms, failures);
                    }
                },
                "meridian-sql-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** Runs every warm-up statement; returns what failed ("statement: error"), empty when all ran. */
    static List<String> run() {
        Catalog catalog = new OneMetric();
        SqlEngine engine = new SqlEngine(catalog, SqlWarmUp::nothing, Duration.ofSeconds(30), 1_000);
        List<String> failures = new ArrayList<>();
        for (String sql : SQL) {
            try {
                engine.execute(DATABASE, sql);
            } catch (RuntimeException e) {
                failures.add(sql + ": " + e.getMessage());
            }
        }
        InfluxQlService influxQl = new InfluxQlService(catalog, engine, Clock.systemUTC());
        for (String q : INFLUXQL) {
            try {
                InfluxQlResponse r = influxQl.execute(DATABASE, q, Epoch.MILLISECONDS);
                String json = r.toJson(); // what the endpoint sends: warms the serializer too
                if (r.results().stream().anyMatch(result -> result.error() != null)) {
                    failures.add(q + ": " + json);
                }
            } catch (RuntimeException e) {
                failures.add(q + ": " + e.getMessage());
            }
        }
        return failures;
    }

    /** The executor of the warm-up: every query answers no rows. */
    private static QueryResult nothing(QuerySpec spec) {
        List<String> fields = spec.reads().stream().map(FieldRead::field).toList();
        PartialTable empty =
                PartialTable.empty(spec.groupBy(), fields, spec.startMs(), spec.bucketMs(), PartialTable.UNBOUNDED);
        return ResultBuilder.build(spec, empty, List.of());
    }

    /** One database with one metric: {@code cpu}, tag {@code host}, gauge {@code usage}. */
    private static final class OneMetric implements Catalog {
        private static final Database DB =
                new Database(DATABASE, 10_000, Duration.ofDays(30).toMillis());
        private static final Metric CPU = new Metric("cpu", List.of("host"), Map.of("usage", FieldType.GAUGE));

        @Override
        public List<Database> databases() {
            return List.of(DB);
        }

        @Override
        public Optional<Database> database(String name) {
            return DATABASE.equals(name) ? Optional.of(DB) : Optional.empty();
        }

        @Override
        public List<String> metrics(String database) {
            return DATABASE.equals(database) ? List.of("cpu") : List.of();
        }

        @Override
        public Optional<Metric> metric(String database, String metric) {
            return DATABASE.equals(database) && "cpu".equals(metric) ? Optional.of(CPU) : Optional.empty();
        }

        @Override
        public List<String> tagValues(String database, String metric, String tagKey, int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, got " + limit);
            }
            return List.of();
        }
    }
}
