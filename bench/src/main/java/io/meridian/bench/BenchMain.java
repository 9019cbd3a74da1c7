package io.meridian.bench;

import io.meridian.bench.broker.BrokerBenchmark;
import io.meridian.bench.broker.HttpClientKind;
import io.meridian.bench.engine.EngineBenchmark;
import io.meridian.bench.ingest.IngestBenchmark;
import io.meridian.bench.prom.RemoteWriteBenchmark;
import io.meridian.bench.replication.ReplicationBenchmark;
import io.meridian.bench.tsbs.CpuOnlyGenerator;
import io.meridian.bench.tsbs.LineProtocolExporter;
import io.meridian.meta.model.WriteConcern;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/meridian bench ...}: Meridian's benchmarks. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Meridian benchmarks",
        subcommands = {
            BenchMain.Engine.class,
            BenchMain.TsbsData.class,
            BenchMain.Replication.class,
            BenchMain.Broker.class,
            BenchMain.Ingest.class,
            BenchMain.PromWrite.class,
            BenchMain.Soak.class
        })
public final class BenchMain implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** {@code bench soak}: a paced line-protocol load with the TSBS queries, and the server's memory over time. */
    @Command(
            name = "soak",
            mixinStandardHelpOptions = true,
            description =
                    "Post cpu-only line protocol at a fixed rate for some minutes while the four TSBS query shapes"
                            + " run once a second; print, each minute, points/s, 503s, heap after GC, memtables, RSS and"
                            + " query p50/p99.")
    static final class Soak implements Callable<Integer> {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "a broker")
        String url;

        @Option(names = "--db", defaultValue = "soak", description = "created if missing (2 shards, 10s, 3650d)")
        String db;

        @Option(names = "--hosts", defaultValue = "1000")
        int hosts;

        @Option(names = "--rate", defaultValue = "1600000", description = "points/s (a point is one field value)")
        long rate;

        @Option(names = "--minutes", defaultValue = "30")
        int minutes;

        @Option(names = "--clients", defaultValue = "4")
        int clients;

        @Option(names = "--pid", description = "the server's pid, for its RSS from /proc")
        Long pid;

        @Override
        public Integer call() throws Exception {
            return new io.meridian.bench.soak.SoakBenchmark(url, db, hosts, rate, minutes, clients, pid, System.out)
                    .run();
        }
    }

    /** {@code bench tsbs-data}: the engine benchmark's data set as line protocol, for loading peers. */
    @Command(
            name = "tsbs-data",
            mixinStandardHelpOptions = true,
            description = "Print the cpu-only data set as InfluxDB line protocol (ns) on stdout.")
    static final class TsbsData implements Callable<Integer> {
        @Option(names = "--hosts", defaultValue = "1000")
        int hosts;

        @Option(names = "--hours", defaultValue = "24")
        int hours;

        @Option(names = "--values", defaultValue = "int", description = "int or float")
        CpuOnlyGenerator.ValueMode values;

        @Option(names = "--seed", defaultValue = "1")
        long seed;

        @Option(names = "--start-ms", description = "first timestamp (default: midnight UTC, ceil(hours/24) days ago)")
        Long startMs;

        @Override
        public Integer call() throws Exception {
            long day = 86_400_000L;
            long start = startMs != null
                    ? startMs
                    : Math.floorDiv(System.currentTimeMillis(), day) * day - (long) Math.ceil(hours / 24.0) * day;
            Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
            long lines = LineProtocolExporter.write(new CpuOnlyGenerator(hosts, seed, values), start, hours, out);
            System.err.printf(
                    Locale.ROOT, "wrote %,d lines (%,d points) starting at %d ms%n", lines, lines * 10, start);
            return 0;
        }
    }

    /** {@code bench prom-write}: Prometheus remote-write ingest into Meridian and peers, same bodies. */
    @Command(
            name = "prom-write",
            mixinStandardHelpOptions = true,
            description = "Send the same Prometheus remote-write requests to each URL in turn; print samples/s.")
    static final class PromWrite implements Callable<Integer> {
        @CommandLine.Parameters(
                arity = "1..*",
                paramLabel = "URL",
                description = "remote-write URLs, e.g. http://127.0.0.1:8080/api/v1/prom/write?db=prom"
                        + " http://127.0.0.1:8428/api/v1/write")
        List<String> urls;

        @Option(names = "--hosts", defaultValue = "1000")
        int hosts;

        @Option(names = "--metrics", defaultValue = "10", description = "series per host")
        int metrics;

        @Option(names = "--minutes", defaultValue = "30")
        int minutes;

        @Option(names = "--interval-ms", defaultValue = "10000")
        long intervalMs;

        @Option(
                names = "--samples-per-request",
                defaultValue = "2000",
                description = "Prometheus's queue_config.max_samples_per_send (default ${DEFAULT-VALUE})")
        int samplesPerRequest;

        @Option(names = "--connections", defaultValue = "4")
        int connections;

        @Override
        public Integer call() throws Exception {
            long start = System.currentTimeMillis() - minutes * 60_000L - 60_000L;
            List<byte[]> bodies =
                    RemoteWriteBenchmark.bodies(hosts, metrics, minutes, intervalMs, samplesPerRequest, start);
            long total = (long) hosts * metrics * (minutes * 60_000L / intervalMs);
            System.out.printf(
                    Locale.ROOT,
                    "%,d samples in %,d requests of %,d (%,d bytes snappy)%n",
                    total,
                    bodies.size(),
                    samplesPerRequest,
                    bodies.stream().mapToLong(b -> b.length).sum());
            List<RemoteWriteBenchmark.Result> results = new ArrayList<>();
            for (String url : urls) {
                results.add(RemoteWriteBenchmark.run(url, bodies, samplesPerRequest, total, connections));
            }
            System.out.print(RemoteWriteBenchmark.report(results));
            return results.stream().allMatch(r -> r.failures() == 0) ? 0 : 1;
        }
    }

    /** {@code bench engine}: the storage engine benchmark. */
    @Command(
            name = "engine",
            mixinStandardHelpOptions = true,
            description = "Load TSBS cpu-only data into fresh shards and measure ingest, size and queries.")
    static final class Engine implements Callable<Integer> {
        @Option(
                names = "--hosts",
                defaultValue = "1000",
                description = "hosts (series) to generate (default ${DEFAULT-VALUE})")
        int hosts;

        @Option(
                names = "--hours",
                defaultValue = "24",
                description = "hours of data per host (default ${DEFAULT-VALUE})")
        int hours;

        @Option(names = "--values", defaultValue = "int", description = "int (as TSBS) or float (two decimals)")
        CpuOnlyGenerator.ValueMode values;

        @Option(
                names = "--shards",
                defaultValue = "2",
                description = "shards, one writer thread each (default ${DEFAULT-VALUE})")
        int shards;

        @Option(
                names = "--batch-rows",
                defaultValue = "60",
                description = "rows per series per write (default ${DEFAULT-VALUE})")
        int batchRows;

        @Option(
                names = "--query-runs",
                defaultValue = "200",
                description = "timed runs per query shape (default ${DEFAULT-VALUE})")
        int queryRuns;

        @Option(names = "--seed", defaultValue = "1", description = "data seed")
        long seed;

        @Option(names = "--dir", description = "data directory (default: a new temporary directory, deleted after)")
        Path dir;

        @Option(names = "--json", description = "print the figures as one JSON object on the last line")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (hosts < 1 || hours < 1 || shards < 1 || batchRows < 1 || queryRuns < 1) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this),
                        "--hosts, --hours, --shards, --batch-rows and --query-runs must be positive");
            }
            boolean temp = dir == null;
            Path d = temp ? Files.createTempDirectory("meridian-bench-") : dir;
            try {
                EngineBenchmark.Result r = new EngineBenchmark(
                                new EngineBenchmark.Params(hosts, hours, values, shards, batchRows, queryRuns, seed, d),
                                System.err)
                        .run();
                System.out.printf(Locale.ROOT, "ingest_points_per_s   %,.0f%n", r.ingestPointsPerS());
                System.out.printf(Locale.ROOT, "bytes_per_point       %.3f%n", r.bytesPerPoint());
                r.bytesPerPointByInterval()
                        .forEach((k, v) -> System.out.printf(Locale.ROOT, "  of which %-4s family %.3f%n", k, v));
                System.out.printf(Locale.ROOT, "heap_bytes_per_series %.0f%n", r.heapBytesPerSeries());
                r.queryMedianMs().forEach((k, v) -> System.out.printf(Locale.ROOT, "query_ms.%-21s %.3f%n", k, v));
                if (json) {
                    System.out.println(r.toJson());
                }
                return 0;
            } finally {
                if (temp) {
                    EngineBenchmarkFiles.delete(d);
                }
            }
        }
    }

    /** {@code bench replication}: replicated write throughput for several replica counts. */
    @Command(
            name = "replication",
            mixinStandardHelpOptions = true,
            description =
                    "Write cpu-only batches through leaders that replicate to followers; points/s per replica count.")
    static final class Replication implements Callable<Integer> {
        @Option(
                names = "--replicas",
                defaultValue = "1,2,3",
                split = ",",
                description = "replica counts to run (default ${DEFAULT-VALUE})")
        List<Integer> replicas;

        @Option(names = "--concern", defaultValue = "majority", description = "leader, majority or all")
        WriteConcern concern;

        @Option(names = "--hosts", defaultValue = "1000")
        int hosts;

        @Option(names = "--hours", defaultValue = "2")
        int hours;

        @Option(names = "--shards", defaultValue = "4", description = "shards, one writer each")
        int shards;

        @Option(names = "--batch-rows", defaultValue = "30")
        int batchRows;

        @Option(names = "--fsync", defaultValue = "always", description = "WAL fsync: always, interval or never")
        String fsync;

        @Option(names = "--runs", defaultValue = "3", description = "runs per replica count; the median is reported")
        int runs;

        @Override
        public Integer call() throws Exception {
            Map<Integer, Double> medians = new LinkedHashMap<>();
            for (int r : replicas) {
                List<Double> rates = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    Path d = Files.createTempDirectory("meridian-repl-bench-");
                    try {
                        var res = new ReplicationBenchmark(
                                        new ReplicationBenchmark.Params(
                                                r, concern, hosts, hours, shards, batchRows, fsync, d),
                                        System.err)
                                .run();
                        System.err.printf(
                                Locale.ROOT,
                                "  run %d: %,.0f points/s (%,d points in %d ms)%n",
                                run + 1,
                                res.pointsPerS(),
                                res.points(),
                                res.elapsedMs());
                        rates.add(res.pointsPerS());
                    } finally {
                        EngineBenchmarkFiles.delete(d);
                    }
                }
                rates.sort(null);
                medians.put(r, rates.get(rates.size() / 2));
            }
            double base = medians.values().iterator().next();
            medians.forEach((r, v) -> System.out.printf(
                    Locale.ROOT, "replicas=%d concern=%s points_per_s %,.0f ratio %.2f%n", r, concern, v, v / base));
            return 0;
        }
    }

    /** {@code bench broker}: HTTP ingest and query latency through one broker in direct mode. */
    @Command(
            name = "broker",
            mixinStandardHelpOptions = true,
            description = "Load cpu-only line protocol over HTTP through one broker into one storage node (etcd, node"
                    + " and broker in this JVM); points/s per run, then TSBS query latency through the broker and on"
                    + " the leaves.")
    static final class Broker implements Callable<Integer> {
        @Option(names = "--hosts", defaultValue = "100", description = "hosts (series) (default ${DEFAULT-VALUE})")
        int hosts;

        @Option(
                names = "--hours",
                defaultValue = "6",
                description = "hours of data per host (default ${DEFAULT-VALUE})")
        int hours;

        @Option(names = "--values", defaultValue = "int", description = "int (as TSBS) or float (two decimals)")
        CpuOnlyGenerator.ValueMode values;

        @Option(
                names = "--shards",
                defaultValue = "2",
                description = "shards of the database, 1 replica (default ${DEFAULT-VALUE})")
        int shards;

        @Option(
                names = "--lines-per-request",
                defaultValue = "10000",
                description = "lines per HTTP body (default ${DEFAULT-VALUE})")
        int linesPerRequest;

        @Option(
                names = "--connections",
                defaultValue = "4",
                description = "concurrent keep-alive clients (default ${DEFAULT-VALUE})")
        int connections;

        @Option(names = "--client", defaultValue = "raw", description = "raw (socket HTTP/1.1) or jdk (java.net.http)")
        HttpClientKind client;

        @Option(
                names = "--warmup-runs",
                defaultValue = "1",
                description = "untimed loads first, each on a fresh cluster (default ${DEFAULT-VALUE})")
        int warmupRuns;

        @Option(
                names = "--runs",
                defaultValue = "3",
                description = "loads, each on a fresh cluster; the median is reported")
        int runs;

        @Option(
                names = "--query-runs",
                defaultValue = "200",
                description = "timed runs per query shape (default ${DEFAULT-VALUE})")
        int queryRuns;

        @Option(names = "--fsync", defaultValue = "always", description = "WAL fsync: always, interval or never")
        String fsync;

        @Option(names = "--seed", defaultValue = "1", description = "data and query seed")
        long seed;

        @Option(names = "--json", description = "print the figures as one JSON object on the last line")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (hosts < 1
                    || hours < 1
                    || shards < 1
                    || linesPerRequest < 1
                    || connections < 1
                    || runs < 1
                    || queryRuns < 1
                    || warmupRuns < 0) {
                throw new CommandLine.ParameterException(new CommandLine(this), "every count must be positive");
            }
            var r = new BrokerBenchmark(
                            new BrokerBenchmark.Params(
                                    hosts,
                                    hours,
                                    values,
                                    shards,
                                    linesPerRequest,
                                    connections,
                                    client,
                                    warmupRuns,
                                    runs,
                                    queryRuns,
                                    fsync,
                                    seed),
                            System.err)
                    .run();
            var m = r.median();
            System.out.printf(
                    Locale.ROOT,
                    "ingest_points_per_s   %,.0f (median of %d runs)%n",
                    m.pointsPerS(),
                    r.runs().size());
            System.out.printf(Locale.ROOT, "ingest_mb_per_s       %.1f%n", m.mbPerS());
            for (var q : r.queries()) {
                System.out.printf(
                        Locale.ROOT,
                        "query_ms.%-21s broker %.3f (p90 %.3f)  leaf %.3f (p90 %.3f)  overhead %.3f  rows %d"
                                + "  sql %.3f (planning %.3f)  sql repeated %.3f (planning %.3f)  jdbc prepared %.3f%n",
                        q.shape(),
                        q.brokerMedianMs(),
                        q.brokerP90Ms(),
                        q.leafMedianMs(),
                        q.leafP90Ms(),
                        q.overheadMs(),
                        q.rows(),
                        q.sqlMedianMs(),
                        q.sqlPlanningMedianMs(),
                        q.sqlRepeatedMedianMs(),
                        q.sqlRepeatedPlanningMedianMs(),
                        q.jdbcPreparedMedianMs());
            }
            for (var st : r.statements()) {
                System.out.printf(
                        Locale.ROOT,
                        "sql_ms.%-25s %.3f (p90 %.3f)  rows %d  first %s%n",
                        st.name(),
                        st.medianMs(),
                        st.p90Ms(),
                        st.rows(),
                        st.firstRow());
            }
            if (json) {
                System.out.println(r.toJson());
            }
            return r.runs().stream().anyMatch(x -> x.failures() > 0) ? 1 : 0;
        }
    }

    /** {@code bench ingest}: Kafka + Flink + one storage node (standalone mode), throughput and visibility. */
    @Command(
            name = "ingest",
            mixinStandardHelpOptions = true,
            description = "Produce cpu-only points as pb1 records to standalone mode's Kafka and measure points/s until"
                    + " every point answers a query, and write-to-visible latency of probe points (p50/p99).")
    static final class Ingest implements Callable<Integer> {
        @Option(names = "--hosts", defaultValue = "1000", description = "hosts (series) (default ${DEFAULT-VALUE})")
        int hosts;

        @Option(
                names = "--hours",
                defaultValue = "6",
                description = "hours of 10 s rows per host (default ${DEFAULT-VALUE})")
        int hours;

        @Option(
                names = "--shards",
                defaultValue = "4",
                description = "shards of the database (default ${DEFAULT-VALUE})")
        int shards;

        @Option(
                names = "--lines-per-record",
                defaultValue = "10000",
                description = "lines cut into one Kafka record set" + " (default ${DEFAULT-VALUE})")
        int linesPerRecord;

        @Option(
                names = "--runs",
                defaultValue = "3",
                description = "runs, each on a fresh standalone (default ${DEFAULT-VALUE})")
        int runs;

        @Option(
                names = "--idle-probe",
                defaultValue = "10",
                description = "seconds of probes after the load (default ${DEFAULT-VALUE})")
        int idleProbeSeconds;

        @Option(
                names = "--rate",
                defaultValue = "0",
                description = "points/s the loader paces itself to; 0 = as fast as"
                        + " Kafka takes them (default ${DEFAULT-VALUE})")
        long rate;

        @Option(
                names = "--kafka-fsync",
                description = "the embedded Kafka broker fsyncs every write before acknowledging it")
        boolean kafkaFsync;

        @Option(
                names = "--base-interval",
                defaultValue = "10s",
                description = "the database's base interval; rows are 10 s apart, so 100s puts ten points of each"
                        + " series and field in a slot (a dense source) (default ${DEFAULT-VALUE})")
        String baseInterval;

        @Option(
                names = "--preaggregate",
                negatable = true,
                defaultValue = "true",
                fallbackValue = "true",
                description = "the ingest job folds points into per-slot partial aggregates (default ${DEFAULT-VALUE})")
        boolean preAggregate;

        @Override
        public Integer call() throws Exception {
            if (hosts < 1
                    || hours < 1
                    || shards < 1
                    || linesPerRecord < 1
                    || runs < 1
                    || idleProbeSeconds < 1
                    || rate < 0) {
                throw new CommandLine.ParameterException(new CommandLine(this), "every count must be positive");
            }
            var runsDone = new IngestBenchmark(
                            new IngestBenchmark.Params(
                                    hosts,
                                    hours,
                                    shards,
                                    linesPerRecord,
                                    runs,
                                    Duration.ofSeconds(idleProbeSeconds),
                                    rate,
                                    kafkaFsync,
                                    baseInterval,
                                    preAggregate),
                            System.err)
                    .run();
            var m = IngestBenchmark.median(runsDone);
            System.out.printf(
                    Locale.ROOT,
                    "ingest_points_per_s      %,.0f (median of %d runs)%n",
                    m.pointsPerS(),
                    runsDone.size());
            System.out.printf(
                    Locale.ROOT, "visible_ms_under_load    p50 %.0f  p99 %.0f%n", m.loadP50Ms(), m.loadP99Ms());
            System.out.printf(
                    Locale.ROOT, "visible_ms_idle          p50 %.0f  p99 %.0f%n", m.idleP50Ms(), m.idleP99Ms());
            System.out.printf(
                    Locale.ROOT,
                    "stored_cells_per_point   %.3f (base interval %s, pre-aggregation %s)%n",
                    m.storedCells() / m.points(),
                    baseInterval,
                    preAggregate ? "on" : "off");
            System.out.printf(Locale.ROOT, "wal_bytes_per_point      %.2f%n", m.walBytes() / m.points());
            return 0;
        }
    }
}
