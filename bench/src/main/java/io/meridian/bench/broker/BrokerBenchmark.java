package io.meridian.bench.broker;

import io.meridian.bench.EngineBenchmarkFiles;
import io.meridian.bench.tsbs.CpuOnlyGenerator;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * HTTP ingest and query latency through one broker in direct mode: for each run a fresh cluster
 * ({@link BenchCluster}: etcd, one storage node, one broker) loads the pre-built cpu-only bodies over
 * {@code connections} kept-alive connections ({@link IngestLoad}); after the last run's load the four TSBS shapes
 * are timed through the broker and on the leaves ({@link QueryLatency}), then the statements without a time range
 * ({@link StatementLatency}), once the process has settled ({@link QuietProcess}). The first {@code warmupRuns} loads
 * (same data, fresh clusters) only warm the JIT up: at small sizes a cold load measures compilation.
 */
public final class BrokerBenchmark {
    /** The longest wait for the load's flushes and compactions to end before the queries are timed. */
    private static final Duration SETTLE_BOUND = Duration.ofMinutes(3);

    /** Parameters. */
    public record Params(
            int hosts,
            int hours,
            CpuOnlyGenerator.ValueMode values,
            int shards,
            int linesPerRequest,
            int connections,
            HttpClientKind client,
            int warmupRuns,
            int runs,
            int queryRuns,
            String fsync,
            long seed) {}

    /** One load. */
    public record Run(
            double pointsPerS, double mbPerS, long elapsedMs, long busyRetries, long failures, String firstFailure) {}

    /** Every run, and the query latencies after the last load. */
    public record Result(
            Params params,
            long points,
            long requests,
            long bytes,
            List<Run> runs,
            List<ShapeLatency> queries,
            List<StatementLatency> statements) {
        public Run median() {
            List<Run> sorted = new ArrayList<>(runs);
            sorted.sort((a, b) -> Double.compare(a.pointsPerS(), b.pointsPerS()));
            return sorted.get(sorted.size() / 2);
        }

        public String toJson() {
            Run m = median();
            StringBuilder sb = new StringBuilder("{\"bench\":\"broker\"");
            sb.append(String.format(
                    Locale.ROOT,
                    ",\"hosts\":%d,\"hours\":%d,\"shards\":%d,\"connections\":%d,"
                            + "\"warmup_runs\":%d,"
                            + "\"lines_per_request\":%d,\"client\":\"%s\",\"fsync\":\"%s\",\"points\":%d,\"requests\":%d,"
                            + "\"bytes\":%d,\"ingest_points_per_s\":%.0f,\"ingest_mb_per_s\":%.1f,\"runs\":[",
                    params.hosts(),
                    params.hours(),
                    params.shards(),
                    params.connections(),
                    params.warmupRuns(),
                    params.linesPerRequest(),
                    params.client().name().toLowerCase(Locale.ROOT),
                    params.fsync(),
                    points,
                    requests,
                    bytes,
                    m.pointsPerS(),
                    m.mbPerS()));
            sb.append(runs.stream()
                    .map(r -> String.format(
                            Locale.ROOT,
                            "{\"points_per_s\":%.0f,\"mb_per_s\":%.1f,\"elapsed_ms\":%d,\"busy_retries\":%d,\"non_204\":%d}",
                            r.pointsPerS(),
                            r.mbPerS(),
                            r.elapsedMs(),
                            r.busyRetries(),
                            r.failures()))
                    .collect(Collectors.joining(",")));
            sb.append("],\"queries\":{");
            sb.append(queries.stream()
                    .map(q -> String.format(
                            Locale.ROOT,
                            "\"%s\":{\"broker_median_ms\":%.3f,\"broker_p90_ms\":%.3f,\"leaf_median_ms\":%.3f,"
                                    + "\"leaf_p90_ms\":%.3f,\"overhead_ms\":%.3f,\"rows\":%d,\"sql_median_ms\":%s,"
                                    + "\"sql_planning_median_ms\":%s,\"sql_repeated_median_ms\":%s,"
                                    + "\"sql_repeated_planning_median_ms\":%s,\"jdbc_prepared_median_ms\":%s}",
                            q.shape(),
                            q.brokerMedianMs(),
                            q.brokerP90Ms(),
                            q.leafMedianMs(),
                            q.leafP90Ms(),
                            q.overheadMs(),
                            q.rows(),
                            num(q.sqlMedianMs()),
                            num(q.sqlPlanningMedianMs()),
                            num(q.sqlRepeatedMedianMs()),
                            num(q.sqlRepeatedPlanningMedianMs()),
                            num(q.jdbcPreparedMedianMs())))
                    .collect(Collectors.joining(",")));
            sb.append("},\"open_range_statements\":{");
            sb.append(statements.stream()
                    .map(st -> String.format(
                            Locale.ROOT,
                            "\"%s\":{\"median_ms\":%.3f,\"p90_ms\":%.3f,\"rows\":%d}",
                            st.name(),
                            st.medianMs(),
                            st.p90Ms(),
                            st.rows()))
                    .collect(Collectors.joining(",")));
            return sb.append("}}").toString();
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
    }

    private final Params p;
    private final PrintStream log;

    public BrokerBenchmark(Params p, PrintStream log) {
        this.p = p;
        this.log = log;
    }

    public Result run() throws Exception {
        long hourMs = 3_600_000L;
        long start = Math.floorDiv(System.currentTimeMillis(), hourMs) * hourMs - p.hours() * hourMs;
        long end = start + p.hours() * hourMs;
        LineProtocolBodies.Bodies data = LineProtocolBodies.build(
                new CpuOnlyGenerator(p.hosts(), p.seed(), p.values()), start, p.hours(), p.linesPerRequest());
        log.printf(
                Locale.ROOT,
                "built %,d bodies: %,d lines, %,d points, %,.1f MB%n",
                data.bodies().size(),
                data.lines(),
                data.points(),
                data.bytes() / 1e6);
        List<Run> runs = new ArrayList<>();
        List<ShapeLatency> queries = List.of();
        List<StatementLatency> statements = List.of();
        for (int run = 1 - p.warmupRuns(); run <= p.runs(); run++) {
            Path dir = Files.createTempDirectory("meridian-broker-bench-");
            try (BenchCluster cluster = BenchCluster.start(dir, p.shards(), p.fsync())) {
                IngestLoad.Outcome o = new IngestLoad(cluster.httpPort(), BenchCluster.DATABASE)
                        .run(data.bodies(), p.connections(), p.client());
                double seconds = o.elapsedNanos() / 1e9;
                Run r = new Run(
                        data.points() / seconds,
                        data.bytes() / 1e6 / seconds,
                        o.elapsedNanos() / 1_000_000,
                        o.busyRetries(),
                        o.failures(),
                        o.firstFailure());
                if (run > 0) {
                    runs.add(r);
                }
                log.printf(
                        Locale.ROOT,
                        "  %s: %,.0f points/s, %.1f MB/s (%,d ms; busy retries %d, non-204 %d%s)%n",
                        run > 0 ? "run " + run : "warm-up run (not counted)",
                        r.pointsPerS(),
                        r.mbPerS(),
                        r.elapsedMs(),
                        r.busyRetries(),
                        r.failures(),
                        r.firstFailure() == null ? "" : ", first: " + r.firstFailure());
                if (run == p.runs()) {
                    log.println("  settling before the queries: " + QuietProcess.await(SETTLE_BOUND));
                    queries = new QueryLatency(cluster.httpPort(), cluster.leafChannel(), p.shards())
                            .run(p.hosts(), start, end, p.queryRuns(), p.seed());
                    try (RawHttpClient http = new RawHttpClient("127.0.0.1", cluster.httpPort())) {
                        statements = StatementLatency.run(http, BenchCluster.DATABASE, p.queryRuns());
                    }
                }
            } finally {
                EngineBenchmarkFiles.delete(dir);
            }
        }
        return new Result(p, data.points(), data.bodies().size(), data.bytes(), runs, queries, statements);
    }
}
