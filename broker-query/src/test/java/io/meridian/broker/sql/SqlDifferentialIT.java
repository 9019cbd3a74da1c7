package io.meridian.broker.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.broker.query.DistributedQueryExecutor;
import io.meridian.broker.query.QueryContext;
import io.meridian.broker.write.ShardWriter;
import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.rpc.storage.v1.FieldType;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.WriteConcern;
import io.meridian.sql.SqlAnswer;
import io.meridian.sql.SqlEngine;
import io.meridian.storage.testing.LocalStorageCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Random;
import java.util.TimeZone;
import java.util.UUID;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SQL results against a reference engine: the same generated raw points are written to Meridian (etcd, the
 * master and three replicating storage nodes in this JVM) and loaded into DuckDB, and every query below must give
 * the same rows in both. Numbers compare with a relative tolerance of 1e-9 (floating sums in another order);
 * everything else exactly. The data has one point per series and 10 s slot, so Meridian's slot values are the raw
 * points; {@code usage_system} is missing on some rows (NULLs), and {@code mem} is a second metric for joins.
 *
 * <p>Queries are written once with placeholders for what the two dialects spell differently:
 * {@code {B:UNIT}} is the time bucket of a unit ({@code FLOOR(ts TO UNIT)} / {@code date_trunc('unit', ts)}),
 * {@code {TB:n:UNIT}} a bucket of n units ({@code time_bucket}), {@code {T:m}} the timestamp m minutes after the
 * data's start, {@code {ASOF:left:right:match:on}} an as-of join ({@code ASOF JOIN .. MATCH_CONDITION .. ON ..} /
 * DuckDB's {@code ASOF JOIN .. ON on AND match}), {@code {INCREASE:f}}, {@code {RATE:f:seconds}} and
 * {@code {DELTA:f}} the per-bucket functions (DuckDB: the sum, the sum per second, last minus first).
 */
@ExtendWith(EtcdExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlDifferentialIT {
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 3) * 3_600_000L;
    private static final int MINUTES = 120;
    private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
    private static final String LONG_DB = "tel";
    /** A database of its own: a shard's data span covers every metric, so months-old data would widen tel's. */
    private static final String DST_DB = "dst";

    @TempDir
    static Path dir;

    private LocalStorageCluster cluster;
    private DistributedQueryExecutor executor;
    private StorageCatalog catalog;
    private SqlEngine engine;
    private Connection duck;

    static Stream<Arguments> queries() {
        return Stream.of(
                q("count all", "SELECT COUNT(*) FROM cpu"),
                q("count per host", "SELECT host, COUNT(*) FROM cpu GROUP BY host ORDER BY host"),
                q("sum per host", "SELECT host, SUM(usage_user) FROM cpu GROUP BY host ORDER BY host"),
                q(
                        "avg min max per host",
                        "SELECT host, AVG(usage_user), MIN(usage_user), MAX(usage_user) FROM cpu GROUP BY host ORDER BY host"),
                q(
                        "per region",
                        "SELECT region, SUM(usage_user), COUNT(usage_user) FROM cpu GROUP BY region ORDER BY region"),
                q(
                        "two tags",
                        "SELECT host, region, MAX(usage_user) FROM cpu GROUP BY host, region ORDER BY host, region"),
                q(
                        "single-groupby-1-1-1",
                        "SELECT {B:MINUTE} AS t, MAX(usage_user) FROM cpu WHERE host = 'h1' AND ts >= {T:30} AND ts < {T:90} GROUP BY {B:MINUTE} ORDER BY t"),
                q(
                        "cpu-max-all-1",
                        "SELECT {B:HOUR} AS t, MAX(usage_user), MAX(usage_system) FROM cpu WHERE host = 'h2' AND ts >= {T:0} AND ts < {T:120} GROUP BY {B:HOUR} ORDER BY t"),
                q(
                        "double-groupby-1",
                        "SELECT {B:HOUR} AS t, host, AVG(usage_user) FROM cpu WHERE ts >= {T:0} AND ts < {T:120} GROUP BY {B:HOUR}, host ORDER BY t, host"),
                q("lastpoint-like", "SELECT host, MAX(ts) FROM cpu GROUP BY host ORDER BY host"),
                q("high-cpu", "SELECT ts, host, usage_user FROM cpu WHERE usage_user > 90 AND host = 'h1' ORDER BY ts"),
                q(
                        "groupby-orderby-limit",
                        "SELECT {B:MINUTE} AS t, MAX(usage_user) FROM cpu WHERE ts < {T:100} GROUP BY {B:MINUTE} ORDER BY t DESC LIMIT 5"),
                q("tag not equal", "SELECT host, COUNT(*) FROM cpu WHERE region <> 'eu' GROUP BY host ORDER BY host"),
                q(
                        "tag in",
                        "SELECT host, SUM(usage_user) FROM cpu WHERE host IN ('h1', 'h3', 'h5') GROUP BY host ORDER BY host"),
                q(
                        "tag not in",
                        "SELECT host, SUM(usage_user) FROM cpu WHERE host NOT IN ('h1', 'h3') GROUP BY host ORDER BY host"),
                q("like prefix", "SELECT host, COUNT(*) FROM cpu WHERE host LIKE 'h1%' GROUP BY host ORDER BY host"),
                q("like suffix", "SELECT host, COUNT(*) FROM cpu WHERE host LIKE '%3' GROUP BY host ORDER BY host"),
                q("regex", "SELECT host, SUM(usage_user) FROM cpu WHERE {RE:host:h[135]$} GROUP BY host ORDER BY host"),
                q(
                        "or across tags",
                        "SELECT host, region, COUNT(*) FROM cpu WHERE host = 'h1' OR region = 'ap' GROUP BY host, region ORDER BY host, region"),
                q(
                        "range at bucket edges",
                        "SELECT {B:MINUTE} AS t, COUNT(*) FROM cpu WHERE ts >= {T:10} AND ts < {T:12} GROUP BY {B:MINUTE} ORDER BY t"),
                q("exclusive start", "SELECT COUNT(*), SUM(usage_user) FROM cpu WHERE ts > {T:10} AND ts <= {T:20}"),
                q(
                        "between",
                        "SELECT host, COUNT(*) FROM cpu WHERE ts BETWEEN {T:5} AND {T:6} GROUP BY host ORDER BY host"),
                q("upper bound only", "SELECT COUNT(*) FROM cpu WHERE ts <= {T:1}"),
                q("empty by tag", "SELECT host, SUM(usage_user) FROM cpu WHERE host = 'nope' GROUP BY host"),
                q("empty by time", "SELECT COUNT(*), SUM(usage_user) FROM cpu WHERE ts >= {T:500}"),
                q(
                        "empty by time without count",
                        "SELECT SUM(usage_user), MAX(usage_user) FROM cpu WHERE ts >= {T:500}"),
                q(
                        "count(*) per bucket and tag",
                        "SELECT {B:MINUTE} AS t, region, COUNT(*), COUNT(usage_system) FROM cpu WHERE ts < {T:5} GROUP BY {B:MINUTE}, region ORDER BY t, region"),
                q(
                        "having",
                        "SELECT host, SUM(usage_user) AS s FROM cpu GROUP BY host HAVING SUM(usage_user) > 35000 ORDER BY host"),
                q(
                        "expression over aggregates",
                        "SELECT host, MAX(usage_user) - MIN(usage_user) AS spread FROM cpu GROUP BY host ORDER BY host"),
                q(
                        "subquery",
                        "SELECT host FROM (SELECT host, AVG(usage_user) AS a FROM cpu GROUP BY host) s WHERE a > 50 ORDER BY host"),
                q(
                        "join of two metrics",
                        "SELECT c.host, COUNT(*), AVG(m.used) FROM cpu c JOIN mem m ON c.host = m.host AND c.ts = m.ts WHERE c.ts < {T:30} GROUP BY c.host ORDER BY c.host"),
                q(
                        "join of aggregates",
                        "SELECT c.host, c.a, m.a FROM (SELECT host, AVG(usage_user) AS a FROM cpu GROUP BY host) c JOIN (SELECT host, AVG(used) AS a FROM mem GROUP BY host) m ON c.host = m.host ORDER BY c.host"),
                q(
                        "nulls: count of a sparse field",
                        "SELECT host, COUNT(usage_system), COUNT(*) FROM cpu GROUP BY host ORDER BY host"),
                q(
                        "nulls: sum of a sparse field",
                        "SELECT host, SUM(usage_system), MIN(usage_system) FROM cpu GROUP BY host ORDER BY host"),
                q(
                        "nulls: avg by bucket",
                        "SELECT {B:HOUR} AS t, AVG(usage_system) FROM cpu GROUP BY {B:HOUR} ORDER BY t"),
                q("nulls: scan", "SELECT ts, usage_system FROM cpu WHERE host = 'h0' AND ts < {T:2} ORDER BY ts"),
                q(
                        "order by aggregate desc limit",
                        "SELECT host, MAX(usage_user) AS m FROM cpu GROUP BY host ORDER BY m DESC, host LIMIT 3"),
                q("order by tag desc", "SELECT host, COUNT(*) FROM cpu GROUP BY host ORDER BY host DESC"),
                q(
                        "window function",
                        "SELECT host, ts, ROW_NUMBER() OVER (PARTITION BY host ORDER BY usage_user DESC, ts) AS r FROM cpu WHERE ts < {T:3} ORDER BY host, r"),
                q("distinct", "SELECT DISTINCT region FROM cpu ORDER BY region"),
                q("count distinct", "SELECT region, COUNT(DISTINCT host) FROM cpu GROUP BY region ORDER BY region"),
                q(
                        "case on a tag",
                        "SELECT CASE WHEN region = 'eu' THEN 'europe' ELSE 'other' END AS r, COUNT(*) FROM cpu GROUP BY CASE WHEN region = 'eu' THEN 'europe' ELSE 'other' END ORDER BY r"),
                q(
                        "arithmetic on fields",
                        "SELECT host, SUM(usage_user + usage_system) FROM cpu GROUP BY host ORDER BY host"),
                q(
                        "time_bucket 5 minutes",
                        "SELECT {TB:5:MINUTE} AS t, host, MAX(usage_user) FROM cpu WHERE host IN ('h0', 'h4') AND ts >= {T:0} AND ts < {T:60} GROUP BY {TB:5:MINUTE}, host ORDER BY t, host"),
                q(
                        "unaligned range start",
                        "SELECT {B:HOUR} AS t, COUNT(*), SUM(usage_user) FROM cpu WHERE ts >= {T:37} AND ts < {T:110} GROUP BY {B:HOUR} ORDER BY t"),
                q(
                        "limit without order on one group",
                        "SELECT COUNT(*) FROM (SELECT host FROM cpu GROUP BY host ORDER BY host LIMIT 4) s"),
                q("second metric alone", "SELECT host, MAX(used), MIN(used) FROM mem GROUP BY host ORDER BY host"),
                // MATCH_CONDITION written right side first: Calcite 1.42 matched the first row, not the closest, for
                // the same condition written c.ts >= m.ts (docs/queries.md, "ASOF JOIN")
                q("count(*) per region", "SELECT region, COUNT(*) FROM cpu GROUP BY region ORDER BY region"),
                q(
                        "count(*) with tags and range",
                        "SELECT host, COUNT(*) FROM cpu WHERE region = 'eu' AND ts >= {T:10} AND ts < {T:50} GROUP BY host ORDER BY host"),
                q(
                        "count(*) per 5 minutes",
                        "SELECT {TB:5:MINUTE} AS t, COUNT(*) FROM cpu WHERE ts < {T:30} GROUP BY {TB:5:MINUTE} ORDER BY t"),
                q("count(*) of a sparse metric", "SELECT host, COUNT(*) FROM mem GROUP BY host ORDER BY host"),
                q(
                        "count(*) next to field counts",
                        "SELECT COUNT(*), COUNT(usage_user), COUNT(usage_system) FROM cpu WHERE host = 'h5'"),
                q(
                        "having on count(*)",
                        "SELECT host, AVG(usage_user) FROM cpu GROUP BY host HAVING COUNT(*) > 700 ORDER BY host"),
                q(
                        "distinct with a tag filter",
                        "SELECT DISTINCT host FROM cpu WHERE region IN ('eu', 'us') ORDER BY host"),
                q(
                        "distinct of two tags",
                        "SELECT DISTINCT region, host FROM cpu WHERE host LIKE 'h1%' OR host = 'h2' ORDER BY region, host"),
                q("distinct in a range", "SELECT DISTINCT host FROM mem WHERE ts >= {T:100} ORDER BY host"),
                q(
                        "count distinct in a range",
                        "SELECT region, COUNT(DISTINCT host) FROM cpu WHERE ts < {T:60} GROUP BY region ORDER BY region"),
                q("count distinct alone", "SELECT COUNT(DISTINCT host) FROM cpu"),
                q(
                        "min and max ts per host",
                        "SELECT host, MIN(ts), MAX(ts) FROM cpu WHERE ts >= {T:10} AND ts < {T:20} GROUP BY host ORDER BY host"),
                q("max ts of a sparse metric", "SELECT host, MAX(ts) FROM mem GROUP BY host ORDER BY host"),
                q(
                        "month buckets",
                        "SELECT {TB:1:MONTH} AS m, COUNT(*), AVG(usage_user) FROM cpu GROUP BY {TB:1:MONTH} ORDER BY m"),
                q(
                        "hour buckets by time_bucket",
                        "SELECT {TB:1:HOUR} AS t, host, MIN(usage_user) FROM cpu WHERE host IN ('h0', 'h7') GROUP BY {TB:1:HOUR}, host ORDER BY t, host"),
                q(
                        "stddev above the slots",
                        "SELECT host, STDDEV_POP(usage_user), STDDEV_SAMP(usage_user) FROM cpu GROUP BY host ORDER BY host"),
                q(
                        "variance above the slots",
                        "SELECT region, VAR_POP(usage_user), VAR_SAMP(usage_system) FROM cpu GROUP BY region ORDER BY region"),
                q(
                        "narrowed scan of a sparse field",
                        "SELECT ts, host, usage_system FROM cpu WHERE usage_system > 40 AND ts < {T:5} ORDER BY host, ts"),
                q(
                        "narrowed scan under an or",
                        "SELECT ts, host, usage_user FROM cpu WHERE (usage_user > 95 OR usage_system > 48) AND ts < {T:10} ORDER BY host, ts"),
                q(
                        "asof join of two metrics",
                        "SELECT c.ts, c.host, c.usage_user, m.used FROM {ASOF:cpu c:mem m:m.ts <= c.ts:c.host = m.host} WHERE c.ts < {T:3} AND c.host IN ('h1', 'h6') ORDER BY c.host, c.ts"));
    }

    /**
     * Statements over {@code tel}, a database kept 10 years (3650 d at 10 s: 31.5 M slots) holding two hours of data
     * and one older hour three days back: without a time range they read only where data exists. Its metric
     * {@code req} has names users really give: tags starting with {@code a}, shaped like generated aliases
     * ({@code a0}), or SQL keywords ({@code count}); fields {@code value} and {@code min}.
     */
    static Stream<Arguments> longRetentionQueries() {
        return Stream.of(
                q("no range: count all", "SELECT COUNT(*) FROM req"),
                q("no range: distinct tag", "SELECT DISTINCT arch FROM req ORDER BY arch"),
                q(
                        "no range: group by arch",
                        "SELECT arch, COUNT(value), SUM(value) FROM req GROUP BY arch ORDER BY arch"),
                q(
                        "no range: tags a0 and abc",
                        "SELECT a0, abc, MAX(value), MIN(min) FROM req GROUP BY a0, abc ORDER BY a0, abc"),
                q(
                        "no range: tag named count",
                        "SELECT count, SUM(value), AVG(min) FROM req GROUP BY count ORDER BY count"),
                q(
                        "no range: field filter",
                        "SELECT host, COUNT(value) FROM req WHERE value >= 35 GROUP BY host ORDER BY host"),
                q("no range: raw rows", "SELECT ts, value FROM req WHERE host = 'h1' AND value > 90 ORDER BY ts"),
                q("no range: lastpoint", "SELECT host, MAX(ts) FROM req GROUP BY host ORDER BY host"),
                q(
                        "no range: oldest and newest slot",
                        "SELECT arch, MIN(ts), MAX(ts), COUNT(value) FROM req GROUP BY arch ORDER BY arch"),
                q(
                        "no range: lastpoint join",
                        "SELECT r.host, r.value FROM req r JOIN (SELECT host, MAX(ts) AS t FROM req GROUP BY host) l ON r.host = l.host AND r.ts = l.t ORDER BY r.host"),
                q(
                        "no range: hourly",
                        "SELECT {B:HOUR} AS t, SUM(value), COUNT(*) FROM req GROUP BY {B:HOUR} ORDER BY t"),
                q("no range: count distinct", "SELECT arch, COUNT(DISTINCT host) FROM req GROUP BY arch ORDER BY arch"),
                q(
                        "no range: order by aggregate",
                        "SELECT host, MAX(value) AS m FROM req GROUP BY host ORDER BY m DESC, host LIMIT 2"),
                q("lower bound only", "SELECT arch, COUNT(*) FROM req WHERE ts >= {T:60} GROUP BY arch ORDER BY arch"),
                q("no range: distinct of a tag named count", "SELECT DISTINCT count FROM req ORDER BY count"),
                q(
                        "no range: filter on a tag named count",
                        "SELECT count, COUNT(*) FROM req WHERE count = '1' GROUP BY count"),
                q("no range: a field named min", "SELECT MIN(min), MAX(min), COUNT(min) FROM req"),
                q(
                        "no range: count distinct per two tags",
                        "SELECT abc, arch, COUNT(DISTINCT host) FROM req GROUP BY abc, arch ORDER BY abc, arch"),
                q(
                        "upper bound in the older hour",
                        "SELECT host, COUNT(*), SUM(value) FROM req WHERE ts < {T:-4000} GROUP BY host ORDER BY host"),
                q(
                        "no range: hourly count(*) per tag",
                        "SELECT {B:HOUR} AS t, arch, COUNT(*) FROM req GROUP BY {B:HOUR}, arch ORDER BY t, arch"),
                q(
                        "no range: order by count(*)",
                        "SELECT host, COUNT(*) AS n FROM req GROUP BY host ORDER BY n DESC, host LIMIT 3"),
                q(
                        "no range: field filter and count(*)",
                        "SELECT arch, COUNT(*) FROM req WHERE value > 50 GROUP BY arch ORDER BY arch"),
                q(
                        "no range: like on a tag named a0",
                        "SELECT a0, MAX(value) FROM req WHERE a0 LIKE 'p%' GROUP BY a0 ORDER BY a0"),
                q("no range: stddev", "SELECT arch, STDDEV_POP(value) FROM req GROUP BY arch ORDER BY arch"),
                q("no range: count(*) of one tag value", "SELECT COUNT(*) FROM req WHERE arch = 'arm'"),
                q(
                        "increase of a sum field",
                        "SELECT {TB:5:MINUTE} AS t, host, {INCREASE:requests} FROM http GROUP BY {TB:5:MINUTE}, host ORDER BY t, host"),
                q(
                        "rate of a sum field",
                        "SELECT {TB:5:MINUTE} AS t, host, {RATE:requests:300} FROM http WHERE host <> 'w2' GROUP BY {TB:5:MINUTE}, host ORDER BY t, host"),
                q(
                        "rate over the range",
                        "SELECT host, {RATE:requests:3600} FROM http WHERE ts >= {T:0} AND ts < {T:60} GROUP BY host ORDER BY host"),
                q(
                        "delta of a gauge",
                        "SELECT {TB:10:MINUTE} AS t, host, {DELTA:latency} FROM http GROUP BY {TB:10:MINUTE}, host ORDER BY t, host"),
                q(
                        "counter: increase with resets",
                        "SELECT {TB:5:MINUTE} AS t, host, {CINC:done} FROM {JOBS} GROUP BY {TB:5:MINUTE}, host ORDER BY t, host"),
                q(
                        "counter: rate per host",
                        "SELECT {TB:10:MINUTE} AS t, host, {CRATE:done:600} FROM {JOBS} GROUP BY {TB:10:MINUTE}, host ORDER BY t, host"),
                q(
                        "counter: increase of all hosts",
                        "SELECT {TB:15:MINUTE} AS t, {CINC:done} FROM {JOBS} GROUP BY {TB:15:MINUTE} ORDER BY t"),
                q(
                        "counter: increase over everything",
                        "SELECT host, {CINC:done}, MAX(done) FROM {JOBS} GROUP BY host ORDER BY host"),
                q(
                        "counter: delta is the increase",
                        "SELECT host, {CDELTA:done} FROM {JOBS} WHERE host <> 'c1' GROUP BY host ORDER BY host"),
                q(
                        "stddev and variance pushed",
                        "SELECT host, STDDEV(value), STDDEV_SAMP(value), VAR_POP(min), VARIANCE(min) FROM req GROUP BY host ORDER BY host"),
                q(
                        "stddev per bucket",
                        "SELECT {TB:15:MINUTE} AS t, arch, STDDEV_POP(value), AVG(value) FROM req WHERE ts >= {T:0} GROUP BY {TB:15:MINUTE}, arch ORDER BY t, arch"),
                q(
                        "stddev of one value is null",
                        "SELECT host, STDDEV_SAMP(value), STDDEV_POP(value) FROM req WHERE host = 'h9' GROUP BY host"),
                q(
                        "stddev of a counter's slots",
                        "SELECT host, STDDEV_POP(done) FROM {JOBS} GROUP BY host ORDER BY host"));
    }

    /** Statements over {@code dst} (database {@link #DST_DB}): days around the DST changes, a tag named time. */
    static Stream<Arguments> dstQueries() {
        return Stream.of(
                q(
                        "a tag named time",
                        "SELECT \"time\", COUNT(*), SUM(value) FROM dst GROUP BY \"time\" ORDER BY \"time\""),
                q(
                        "a filter on a tag named time",
                        "SELECT host, COUNT(*) FROM dst WHERE \"time\" = 'night' GROUP BY host"),
                q(
                        "local days across Europe's DST changes",
                        "SELECT {TZB:1:DAY:Europe/Paris} AS d, COUNT(*), SUM(value) FROM dst GROUP BY {TZB:1:DAY:Europe/Paris} ORDER BY d"),
                q(
                        "local days across the US DST changes",
                        "SELECT {TZB:1:DAY:America/New_York} AS d, \"time\", MAX(value), COUNT(*) FROM dst GROUP BY {TZB:1:DAY:America/New_York}, \"time\" ORDER BY d, \"time\""));
    }

    private static Arguments q(String name, String sql) {
        return Arguments.of(name, sql);
    }

    @BeforeAll
    void load(EtcdProcess etcd) throws Exception {
        cluster = new LocalStorageCluster(etcd, dir, "/sql-diff");
        executor = new DistributedQueryExecutor(cluster.cache::snapshot, "idc1", new SimpleMeterRegistry());
        catalog = new StorageCatalog(cluster.cache::snapshot, "idc1", Duration.ofMillis(500));
        engine = new SqlEngine(
                catalog,
                spec -> {
                    try (QueryContext q = QueryContext.start(UUID.randomUUID().toString(), spec.timeout())) {
                        return executor.execute(spec, q);
                    }
                },
                Duration.ofSeconds(30),
                100_000);
        duck = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement st = duck.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            st.execute(
                    "CREATE TABLE cpu (ts TIMESTAMP, host VARCHAR, region VARCHAR, usage_user DOUBLE, usage_system DOUBLE)");
            st.execute("CREATE TABLE mem (ts TIMESTAMP, host VARCHAR, used DOUBLE)");
        }
        Random random = new Random(5);
        StringBuilder body = new StringBuilder();
        try (PreparedStatement cpu = duck.prepareStatement("INSERT INTO cpu VALUES (?, ?, ?, ?, ?)");
                PreparedStatement mem = duck.prepareStatement("INSERT INTO mem VALUES (?, ?, ?)")) {
            for (int h = 0; h < 8; h++) {
                String host = "h" + h;
                String region = List.of("eu", "us", "ap").get(h % 3);
                for (long t = T0; t < T0 + MINUTES * 60_000L; t += 10_000) {
                    double user = random.nextInt(1000) / 10.0;
                    Double system = random.nextInt(4) == 0 ? null : random.nextInt(500) / 10.0;
                    body.append("cpu,host=")
                            .append(host)
                            .append(",region=")
                            .append(region)
                            .append(" usage_user=")
                            .append(user);
                    if (system != null) {
                        body.append(",usage_system=").append(system);
                    }
                    body.append(' ').append(t).append('\n');
                    cpu.setObject(1, utc(t));
                    cpu.setString(2, host);
                    cpu.setString(3, region);
                    cpu.setDouble(4, user);
                    cpu.setObject(5, system);
                    cpu.addBatch();
                    if (h < 5 && (t / 10_000) % 3 == 0) {
                        double used = random.nextInt(100);
                        body.append("mem,host=")
                                .append(host)
                                .append(" used=")
                                .append(used)
                                .append(' ')
                                .append(t)
                                .append('\n');
                        mem.setObject(1, utc(t));
                        mem.setString(2, host);
                        mem.setDouble(3, used);
                        mem.addBatch();
                    }
                }
            }
            cpu.executeBatch();
            mem.executeBatch();
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        try (ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30))) {
            writer.write(new LineBatcher()
                    .batch(
                            LocalStorageCluster.DB,
                            LocalStorageCluster.SHARDS,
                            bytes,
                            0,
                            bytes.length,
                            Precision.MILLISECONDS,
                            T0));
        }
        loadLongRetention(random);
        loadAcrossDst();
    }

    private void loadLongRetention(Random random) throws Exception {
        cluster.createDatabase(new DatabaseConfig(
                LONG_DB,
                LocalStorageCluster.SHARDS,
                3,
                WriteConcern.MAJORITY,
                List.of(IntervalSpec.parse("10s", "3650d")),
                List.of("c1")));
        try (Statement st = duck.createStatement()) {
            st.execute(
                    "CREATE TABLE req (ts TIMESTAMP, host VARCHAR, arch VARCHAR, a0 VARCHAR, abc VARCHAR, count VARCHAR, "
                            + "value DOUBLE, min DOUBLE)");
        }
        StringBuilder body = new StringBuilder();
        long older = T0 - 3 * 86_400_000L;
        try (PreparedStatement req = duck.prepareStatement("INSERT INTO req VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int h = 0; h < 6; h++) {
                String[] tags = {"h" + h, h % 2 == 0 ? "x86" : "arm", "p" + h % 3, "q" + h % 2, String.valueOf(h % 3)};
                List<long[]> ranges =
                        List.of(new long[] {older, older + 3_600_000L}, new long[] {T0, T0 + MINUTES * 60_000L});
                for (long[] range : ranges) {
                    for (long t = range[0]; t < range[1]; t += 10_000) {
                        double value = random.nextInt(1000) / 10.0;
                        double min = random.nextInt(100) / 10.0;
                        body.append("req,host=")
                                .append(tags[0])
                                .append(",arch=")
                                .append(tags[1])
                                .append(",a0=")
                                .append(tags[2])
                                .append(",abc=")
                                .append(tags[3])
                                .append(",count=")
                                .append(tags[4])
                                .append(" value=")
                                .append(value)
                                .append(",min=")
                                .append(min)
                                .append(' ')
                                .append(t)
                                .append('\n');
                        req.setObject(1, utc(t));
                        for (int i = 0; i < tags.length; i++) {
                            req.setString(i + 2, tags[i]);
                        }
                        req.setDouble(7, value);
                        req.setDouble(8, min);
                        req.addBatch();
                    }
                }
            }
            req.executeBatch();
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        try (ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30))) {
            writer.write(new LineBatcher()
                    .batch(LONG_DB, LocalStorageCluster.SHARDS, bytes, 0, bytes.length, Precision.MILLISECONDS, T0));
        }
        cluster.declareField(LONG_DB, LocalStorageCluster.SHARDS, "http", "requests", FieldType.FIELD_TYPE_SUM);
        try (Statement st = duck.createStatement()) {
            st.execute("CREATE TABLE http (ts TIMESTAMP, host VARCHAR, requests DOUBLE, latency DOUBLE)");
        }
        StringBuilder http = new StringBuilder();
        try (PreparedStatement row = duck.prepareStatement("INSERT INTO http VALUES (?, ?, ?, ?)")) {
            for (int h = 0; h < 3; h++) {
                for (long t = T0; t < T0 + 60 * 60_000L; t += 10_000) {
                    double requests = random.nextInt(50);
                    double latency = random.nextInt(400) / 4.0;
                    http.append("http,host=w")
                            .append(h)
                            .append(" requests=")
                            .append(requests)
                            .append(",latency=")
                            .append(latency)
                            .append(' ')
                            .append(t)
                            .append('\n');
                    row.setObject(1, utc(t));
                    row.setString(2, "w" + h);
                    row.setDouble(3, requests);
                    row.setDouble(4, latency);
                    row.addBatch();
                }
            }
            row.executeBatch();
        }
        bytes = http.toString().getBytes(StandardCharsets.UTF_8);
        try (ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30))) {
            writer.write(new LineBatcher()
                    .batch(LONG_DB, LocalStorageCluster.SHARDS, bytes, 0, bytes.length, Precision.MILLISECONDS, T0));
        }
        byte[] lateCounters = loadCounters(random);
        cluster.flushAll(); // the older hour in parts, then more in the memtables
        try (ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30))) {
            writer.write(new LineBatcher()
                    .batch(
                            LONG_DB,
                            LocalStorageCluster.SHARDS,
                            lateCounters,
                            0,
                            lateCounters.length,
                            Precision.MILLISECONDS,
                            T0));
        }
        bytes = ("req,host=h9,arch=x86,a0=p0,abc=q0,count=0 value=99.5,min=0.5 " + (T0 + 60_000) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        try (ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30));
                Statement st = duck.createStatement()) {
            writer.write(new LineBatcher()
                    .batch(LONG_DB, LocalStorageCluster.SHARDS, bytes, 0, bytes.length, Precision.MILLISECONDS, T0));
            st.execute("INSERT INTO req VALUES (TIMESTAMP '"
                    + utc(T0 + 60_000).toString().replace('T', ' ') + "', 'h9', 'x86', 'p0', 'q0', '0', 99.5, 0.5)");
        }
    }

    /**
     * Metric {@code jobs}: a cumulative counter {@code done} per host, one point per slot, that restarts from a small
     * value now and then (a process restart). DuckDB's view {@code jobs_inc} holds each point's increment as a user
     * would write it by hand: the difference from the previous point, or the value itself after a drop. The last ten
     * minutes are returned, to be written after a flush: a series' history then spans parts and memtables.
     */
    private byte[] loadCounters(Random random) throws Exception {
        cluster.declareField(LONG_DB, LocalStorageCluster.SHARDS, "jobs", "done", FieldType.FIELD_TYPE_COUNTER);
        try (Statement st = duck.createStatement()) {
            st.execute("CREATE TABLE jobs (ts TIMESTAMP, host VARCHAR, done DOUBLE)");
            st.execute("CREATE VIEW jobs_inc AS SELECT ts, host, done, CASE WHEN prev IS NULL THEN 0 WHEN done >= prev "
                    + "THEN done - prev ELSE done END AS inc FROM (SELECT ts, host, done, "
                    + "LAG(done) OVER (PARTITION BY host ORDER BY ts) AS prev FROM jobs) j");
        }
        StringBuilder body = new StringBuilder();
        StringBuilder late = new StringBuilder();
        try (PreparedStatement row = duck.prepareStatement("INSERT INTO jobs VALUES (?, ?, ?)")) {
            for (int h = 0; h < 3; h++) {
                double total = random.nextInt(1000);
                for (long t = T0; t < T0 + 60 * 60_000L; t += 10_000) {
                    total = random.nextInt(40) == 0 ? random.nextInt(5) : total + random.nextInt(20);
                    (t < T0 + 50 * 60_000L ? body : late)
                            .append("jobs,host=c")
                            .append(h)
                            .append(" done=")
                            .append(total)
                            .append(' ')
                            .append(t)
                            .append('\n');
                    row.setObject(1, utc(t));
                    row.setString(2, "c" + h);
                    row.setDouble(3, total);
                    row.addBatch();
                }
            }
            row.executeBatch();
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        try (ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30))) {
            writer.write(new LineBatcher()
                    .batch(LONG_DB, LocalStorageCluster.SHARDS, bytes, 0, bytes.length, Precision.MILLISECONDS, T0));
        }
        return late.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Metric {@code dst}: hourly points over the days around both of 2026's DST changes in Europe (29 March, 25 October)
     * and the United States (8 March, 1 November), with a tag named {@code time} (a reserved word, quoted).
     */
    private void loadAcrossDst() throws Exception {
        cluster.createDatabase(new DatabaseConfig(
                DST_DB,
                LocalStorageCluster.SHARDS,
                3,
                WriteConcern.MAJORITY,
                List.of(IntervalSpec.parse("1h", "3650d")),
                List.of("c1")));
        try (Statement st = duck.createStatement()) {
            st.execute("CREATE TABLE dst (ts TIMESTAMP, host VARCHAR, \"time\" VARCHAR, value DOUBLE)");
        }
        StringBuilder body = new StringBuilder();
        try (PreparedStatement row = duck.prepareStatement("INSERT INTO dst VALUES (?, ?, ?, ?)")) {
            for (String day : List.of("2026-03-06", "2026-03-27", "2026-10-23", "2026-10-30")) {
                long start = Instant.parse(day + "T00:00:00Z").toEpochMilli();
                for (int h = 0; h < 4 * 24; h++) {
                    long t = start + h * 3_600_000L;
                    String shift = h % 24 >= 6 && h % 24 < 18 ? "day" : "night";
                    double value = h % 7;
                    body.append("dst,host=d1,time=")
                            .append(shift)
                            .append(" value=")
                            .append(value)
                            .append(' ')
                            .append(t)
                            .append('\n');
                    row.setObject(1, utc(t));
                    row.setString(2, "d1");
                    row.setString(3, shift);
                    row.setDouble(4, value);
                    row.addBatch();
                }
            }
            row.executeBatch();
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        try (ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30))) {
            writer.write(new LineBatcher()
                    .batch(DST_DB, LocalStorageCluster.SHARDS, bytes, 0, bytes.length, Precision.MILLISECONDS, T0));
        }
    }

    @AfterAll
    void close() throws Exception {
        duck.close();
        catalog.close();
        executor.close();
        cluster.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queries")
    void meridianAnswersAsDuckDb(String name, String sql) throws Exception {
        assertSameAnswers(LocalStorageCluster.DB, name, sql);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("longRetentionQueries")
    void onATenYearDatabaseMeridianAnswersAsDuckDb(String name, String sql) throws Exception {
        assertSameAnswers(LONG_DB, name, sql);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dstQueries")
    void acrossDstChangesMeridianAnswersAsDuckDb(String name, String sql) throws Exception {
        assertSameAnswers(DST_DB, name, sql);
    }

    /**
     * time_bucket_gapfill over a range that runs 20 minutes past the data: the buckets with data equal DuckDB's
     * time_bucket answer, the ones after have a null average, the last average carried by locf and a count of 0.
     */
    @org.junit.jupiter.api.Test
    void gapfillAnswersEveryBucketOfTheRange() throws Exception {
        String range = "ts >= " + dialect("{T:100}", true) + " AND ts < " + dialect("{T:140}", true);
        SqlAnswer a = engine.execute(
                LocalStorageCluster.DB,
                "SELECT time_bucket_gapfill(INTERVAL '5' "
                        + "MINUTE, ts) AS b, AVG(usage_user), locf(AVG(usage_user)), COUNT(usage_user) FROM cpu WHERE host = 'h3' AND "
                        + range + " GROUP BY time_bucket_gapfill(INTERVAL '5' MINUTE, ts) ORDER BY b");
        List<List<Object>> expected;
        try (Statement st = duck.createStatement();
                ResultSet rs = st.executeQuery("SELECT time_bucket(INTERVAL '5 minutes', "
                        + "ts) AS b, AVG(usage_user), COUNT(usage_user) FROM cpu WHERE host = 'h3' AND "
                        + dialect(range, false)
                        + " GROUP BY 1 ORDER BY 1")) {
            expected = normalize(rs, false);
        }
        assertThat(expected).as("DuckDB: the data ends at minute 120").hasSize(4);
        assertThat(a.rows()).as("every 5 minutes of [100, 140)").hasSize(8);
        for (int i = 0; i < 8; i++) {
            List<Object> row = a.rows().get(i);
            assertThat(Instant.parse(row.get(0).toString()).toEpochMilli()).isEqualTo(T0 + (100 + 5L * i) * 60_000L);
            if (i < 4) {
                assertThat((Double) row.get(1))
                        .isCloseTo((Double) expected.get(i).get(1), Offset.offset(1e-9));
                assertThat(row.get(2)).isEqualTo(row.get(1));
                assertThat(((Number) row.get(3)).longValue())
                        .isEqualTo(expected.get(i).get(2));
            } else {
                assertThat(row.get(1)).as("bucket " + i + " has no point").isNull();
                assertThat(row.get(2))
                        .as("locf carries the last average")
                        .isEqualTo(a.rows().get(3).get(1));
                assertThat(((Number) row.get(3)).longValue()).isZero();
            }
        }
    }

    private void assertSameAnswers(String db, String name, String sql) throws Exception {
        List<List<Object>> expected;
        try (Statement st = duck.createStatement();
                ResultSet rs = st.executeQuery(dialect(sql, false))) {
            expected = normalize(rs, false);
        }
        // through the engine's front door: literal lifting, the plan cache, then the pushed plan
        SqlAnswer answer = engine.execute(db, dialect(sql, true));
        List<List<Object>> actual = new ArrayList<>();
        for (List<Object> r : answer.rows()) {
            List<Object> row = new ArrayList<>();
            for (int j = 0; j < r.size(); j++) {
                Object v = r.get(j);
                if (v != null && answer.columns().get(j).type().startsWith("TIMESTAMP")) {
                    row.add(Instant.parse(v.toString()).toEpochMilli());
                } else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
                    row.add(((Number) v).longValue());
                } else if (v instanceof Number n) {
                    row.add(n.doubleValue());
                } else {
                    row.add(v == null ? null : v.toString());
                }
            }
            actual.add(row);
        }
        assertThat(actual).as(name + "\n" + dialect(sql, true)).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            List<Object> e = expected.get(i);
            List<Object> a = actual.get(i);
            assertThat(a).as(name + ", row " + i).hasSameSizeAs(e);
            for (int j = 0; j < e.size(); j++) {
                if (e.get(j) instanceof Double d && a.get(j) instanceof Double x) {
                    assertThat(x)
                            .as(name + ", row " + i + ", column " + j)
                            .isCloseTo(d, Offset.offset(Math.max(1e-9, Math.abs(d) * 1e-9)));
                } else {
                    assertThat(a.get(j))
                            .as(name + ", row " + i + ", column " + j)
                            .isEqualTo(e.get(j));
                }
            }
        }
    }

    /** Rows with timestamps as epoch ms (UTC), integers as Long, other numbers as Double. */
    private static LocalDateTime utc(long ms) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC);
    }

    private static List<List<Object>> normalize(ResultSet rs, boolean calcite) throws Exception {
        ResultSetMetaData md = rs.getMetaData();
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                Object v = rs.getObject(i);
                if (v == null) {
                    row.add(null);
                } else if (v instanceof Timestamp || v instanceof LocalDateTime || v instanceof OffsetDateTime) {
                    row.add(
                            calcite
                                    ? rs.getTimestamp(i, UTC).getTime()
                                    : rs.getObject(i, LocalDateTime.class)
                                            .toInstant(ZoneOffset.UTC)
                                            .toEpochMilli());
                } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof BigInteger) {
                    row.add(((Number) v).longValue());
                } else if (v instanceof Number n) {
                    row.add(n.doubleValue());
                } else {
                    row.add(v.toString());
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /** The query in one engine's dialect. */
    static String dialect(String sql, boolean meridian) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < sql.length()) {
            int open = sql.indexOf('{', i);
            if (open < 0) {
                out.append(sql, i, sql.length());
                break;
            }
            out.append(sql, i, open);
            int close = sql.indexOf('}', open);
            String[] p = sql.substring(open + 1, close).split(":");
            out.append(
                    switch (p[0]) {
                        case "B" ->
                            meridian ? "FLOOR(ts TO " + p[1] + ")" : "date_trunc('" + p[1].toLowerCase() + "', ts)";
                        case "TB" ->
                            meridian
                                    ? "time_bucket(INTERVAL '" + p[1] + "' " + p[2] + ", ts)"
                                    : "time_bucket(INTERVAL '" + p[1] + " " + p[2].toLowerCase() + "', ts)";
                        case "RE" ->
                            meridian
                                    ? "REGEXP_LIKE(" + p[1] + ", '" + p[2] + "')"
                                    : "regexp_matches(" + p[1] + ", '" + p[2] + "')";
                        case "ASOF" ->
                            meridian
                                    ? p[1] + " ASOF JOIN " + p[2] + " MATCH_CONDITION " + p[3] + " ON " + p[4]
                                    : p[1] + " ASOF JOIN " + p[2] + " ON " + p[4] + " AND " + p[3];
                        case "INCREASE" -> meridian ? "increase(" + p[1] + ")" : "SUM(" + p[1] + ")";
                        case "RATE" -> meridian ? "rate(" + p[1] + ")" : "SUM(" + p[1] + ") / " + p[2] + ".0";
                        case "JOBS" -> meridian ? "jobs" : "jobs_inc";
                        case "TZB" ->
                            meridian
                                    ? "time_bucket(INTERVAL '" + p[1] + "' " + p[2] + ", ts, '" + p[3] + "')"
                                    : "CAST(time_bucket(INTERVAL '" + p[1] + " " + p[2].toLowerCase()
                                            + "', ts::TIMESTAMPTZ, '" + p[3] + "') AS TIMESTAMP)";
                        case "CINC" -> meridian ? "increase(" + p[1] + ")" : "SUM(inc)";
                        case "CDELTA" -> meridian ? "delta(" + p[1] + ")" : "SUM(inc)";
                        case "CRATE" -> meridian ? "rate(" + p[1] + ")" : "SUM(inc) / " + p[2] + ".0";
                        case "DELTA" ->
                            meridian ? "delta(" + p[1] + ")" : "arg_max(" + p[1] + ", ts) - arg_min(" + p[1] + ", ts)";
                        case "T" ->
                            "TIMESTAMP '"
                                    + Instant.ofEpochMilli(T0 + Long.parseLong(p[1]) * 60_000L)
                                            .toString()
                                            .replace('T', ' ')
                                            .replace("Z", "")
                                    + "'";
                        default -> throw new IllegalArgumentException("unknown placeholder " + p[0]);
                    });
            i = close + 1;
        }
        return out.toString();
    }
}
