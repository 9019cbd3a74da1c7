package io.meridian.bench.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.bench.broker.LineProtocolBodies;
import io.meridian.bench.tsbs.CpuOnlyGenerator;
import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.io.FileTrees;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.IntervalSpec;
import io.meridian.connector.kafka.IngestProducerSettings;
import io.meridian.connector.kafka.IngestRecordCodec;
import io.meridian.connector.kafka.IngestTopic;
import io.meridian.deploy.Standalone;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.WriteConcern;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The write path of standalone mode under load: a Kafka producer -> the ingest topic -> the Flink ingest job
 * (exactly once, 1 s checkpoints) -> one storage node, all in this JVM but etcd. Per run, on a fresh standalone:
 * <ul>
 *   <li><b>throughput</b>: TSBS cpu-only points, cut per shard into {@code pb1} records the way a broker in Kafka
 *       mode produces them, are sent as fast as Kafka takes them; the figure is all points over the time from the
 *       first send until the last point answers a query;</li>
 *   <li><b>write-to-visible latency</b>: a probe point (a rising {@code seq}) is produced every 100 ms, during the
 *       load and then on an idle system, while a poller asks the broker for {@code MAX(seq)} every 10 ms; a probe's
 *       latency is from its send to the first answer that includes it.</li>
 * </ul>
 */
public final class IngestBenchmark {
    private static final String DB = "bench";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param rate       points/s the loader paces itself to; 0 sends as fast as Kafka takes them
     * @param kafkaFsync the embedded Kafka broker fsyncs every message set before acknowledging it
     */
    public record Params(
            int hosts,
            int hours,
            int shards,
            int linesPerRecord,
            int runs,
            Duration idleProbe,
            long rate,
            boolean kafkaFsync,
            String baseInterval,
            boolean preAggregate) {}

    public record Run(
            long points,
            double seconds,
            double pointsPerS,
            double loadP50Ms,
            double loadP99Ms,
            double idleP50Ms,
            double idleP99Ms,
            int probes,
            double storedCells,
            double walBytes) {}

    private final Params p;
    private final PrintStream log;
    private final HttpClient http = HttpClient.newHttpClient();

    public IngestBenchmark(Params p, PrintStream log) {
        this.p = p;
        this.log = log;
    }

    public List<Run> run() throws Exception {
        long start = (System.currentTimeMillis() - p.hours() * 3_600_000L - 60_000) / 10_000 * 10_000;
        LineProtocolBodies.Bodies bodies = LineProtocolBodies.build(
                new CpuOnlyGenerator(p.hosts(), 1, CpuOnlyGenerator.ValueMode.INT),
                start,
                p.hours(),
                p.linesPerRecord());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<Long> recordPoints = new ArrayList<>();
        LineBatcher batcher = new LineBatcher();
        for (byte[] body : bodies.bodies()) {
            ShardBatches cut = batcher.batch(DB, p.shards(), body, 0, body.length, Precision.MILLISECONDS, start);
            cut.batches().forEach((shard, batch) -> {
                records.add(IngestRecordCodec.encodeBatch(
                        IngestTopic.DEFAULT_TOPIC, Standalone.INGEST_PARTITIONS, DB, shard, batch));
                recordPoints.add(batch.getSeriesList().stream()
                        .mapToLong(r -> r.getValuesCount())
                        .sum());
            });
        }
        long bytes = records.stream().mapToLong(r -> r.value().length).sum();
        log.printf(
                "data: %,d points in %,d pb1 records, %.1f MB (%.1f bytes/point)%n",
                bodies.points(), records.size(), bytes / 1e6, (double) bytes / bodies.points());
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < p.runs(); i++) {
            runs.add(once(records, recordPoints, bodies.points()));
            Run r = runs.get(runs.size() - 1);
            log.printf(
                    Locale.ROOT,
                    "run %d: %,.0f points/s (%,d points in %.1f s, %,.0f cells stored, %.2f WAL bytes/point); visible p50/p99 under load"
                            + " %.0f/%.0f ms, idle %.0f/%.0f ms (%d probes)%n",
                    i + 1,
                    r.pointsPerS(),
                    r.points(),
                    r.seconds(),
                    r.storedCells(),
                    r.walBytes() / r.points(),
                    r.loadP50Ms(),
                    r.loadP99Ms(),
                    r.idleP50Ms(),
                    r.idleP99Ms(),
                    r.probes());
        }
        return runs;
    }

    private Run once(List<ProducerRecord<byte[], byte[]>> records, List<Long> recordPoints, long points)
            throws Exception {
        Path dir = Files.createTempDirectory("meridian-bench-ingest-");
        try (Standalone s =
                Standalone.start(dir, 0, Duration.ofSeconds(120), false, 0, p.kafkaFsync(), p.preAggregate())) {
            s.broker()
                    .master()
                    .createDatabase(new DatabaseConfig(
                            DB,
                            p.shards(),
                            1,
                            WriteConcern.LEADER,
                            List.of(IntervalSpec.parse(p.baseInterval(), "30d")),
                            List.of("default")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!IntStream.range(0, p.shards())
                    .allMatch(sh -> s.broker().cache().routing().leader(DB, sh).isPresent())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("database not placed in 30 s");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            String base = "http://127.0.0.1:" + s.broker().httpPort();
            String bootstrap = s.kafkaBootstrap().orElseThrow();
            Map<Long, Long> sentAt = new ConcurrentHashMap<>();
            Map<Long, Long> seenAt = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread poller = new Thread(() -> poll(base, seenAt, stop), "bench-visibility-poller");
            poller.setDaemon(true);
            poller.start();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(IngestProducerSettings.of(
                    bootstrap,
                    Map.of(
                            ProducerConfig.LINGER_MS_CONFIG,
                            5,
                            ProducerConfig.BATCH_SIZE_CONFIG,
                            1 << 20,
                            ProducerConfig.BUFFER_MEMORY_CONFIG,
                            256L << 20,
                            ProducerConfig.COMPRESSION_TYPE_CONFIG,
                            "lz4")))) {
                Prober prober = new Prober(producer, sentAt);
                long t0 = System.nanoTime();
                prober.start();
                long sentPoints = 0;
                for (int i = 0; i < records.size(); i++) {
                    producer.send(records.get(i));
                    sentPoints += recordPoints.get(i);
                    if (p.rate() > 0) { // paced: sentPoints may not run ahead of rate x elapsed
                        long due = t0 + (long) (sentPoints * 1e9 / p.rate());
                        LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
                    }
                }
                producer.flush();
                long loadProbesTo;
                long end;
                while (true) { // all points visible
                    long n = count(base);
                    if (n * CpuOnlyGenerator.FIELDS.size() >= points) {
                        end = System.nanoTime();
                        loadProbesTo = prober.sent();
                        break;
                    }
                    // a count scans every point in the memtable: polled rarely, so the benchmark does not load the node
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
                }
                LockSupport.parkNanos(p.idleProbe().toNanos()); // probes on an idle system
                prober.stop();
                waitSeen(seenAt, prober.sent(), Duration.ofSeconds(30));
                stop.set(true);
                double[] load = latencies(sentAt, seenAt, 1, loadProbesTo);
                double[] idle = latencies(sentAt, seenAt, loadProbesTo + 2, prober.sent());
                double seconds = (end - t0) / 1e9;
                return new Run(
                        points,
                        seconds,
                        points / seconds,
                        pct(load, 50),
                        pct(load, 99),
                        pct(idle, 50),
                        pct(idle, 99),
                        sentAt.size(),
                        s
                                .storage()
                                .registry()
                                .meters()
                                .find("meridian.storage.cells.written")
                                .tag("db", DB)
                                .counters()
                                .stream()
                                .mapToDouble(Counter::count)
                                .sum(),
                        s
                                .storage()
                                .registry()
                                .meters()
                                .find("meridian.storage.wal.written")
                                .tag("db", DB)
                                .functionCounters()
                                .stream()
                                .mapToDouble(FunctionCounter::count)
                                .sum());
            }
        } finally {
            FileTrees.delete(dir);
        }
    }

    /** Sends {@code probe seq=i} every 100 ms on its own thread. */
    private static final class Prober {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Map<Long, Long> sentAt;
        private final AtomicBoolean stop = new AtomicBoolean();
        private volatile long sent;
        private Thread thread;

        Prober(KafkaProducer<byte[], byte[]> producer, Map<Long, Long> sentAt) {
            this.producer = producer;
            this.sentAt = sentAt;
        }

        void start() {
            thread = new Thread(
                    () -> {
                        long next = System.nanoTime();
                        while (!stop.get()) {
                            long seq = sent + 1;
                            long now = System.currentTimeMillis();
                            sentAt.put(seq, System.nanoTime());
                            producer.send(IngestRecordCodec.encodeLines(
                                    IngestTopic.DEFAULT_TOPIC,
                                    DB,
                                    ("probe,src=bench seq=" + seq + " " + now + "\n").getBytes(StandardCharsets.UTF_8),
                                    Precision.MILLISECONDS));
                            producer.flush();
                            sent = seq;
                            next += TimeUnit.MILLISECONDS.toNanos(100);
                            LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
                        }
                    },
                    "bench-prober");
            thread.setDaemon(true);
            thread.start();
        }

        long sent() {
            return sent;
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }

    private void poll(String base, Map<Long, Long> seenAt, AtomicBoolean stop) {
        long seen = 0;
        while (!stop.get()) {
            try {
                long max = (long) scalar(base, "SELECT MAX(seq) FROM probe");
                long now = System.nanoTime();
                for (long s = seen + 1; s <= max; s++) {
                    seenAt.putIfAbsent(s, now);
                }
                seen = Math.max(seen, max);
            } catch (Exception e) {
                // the table does not exist before the first probe lands
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private long count(String base) throws Exception {
        try {
            return (long) scalar(base, "SELECT COUNT(usage_user) FROM cpu");
        } catch (IllegalStateException e) {
            return 0; // no cpu table before the first commit
        }
    }

    private double scalar(String base, String sql) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/sql"))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.writeValueAsString(Map.of("db", DB, "sql", sql))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("query failed [status=" + r.statusCode() + "]: " + r.body());
        }
        JsonNode rows = JSON.readTree(r.body()).get("rows");
        if (rows.isEmpty() || rows.get(0).get(0).isNull()) {
            return 0;
        }
        return rows.get(0).get(0).asDouble();
    }

    private static void waitSeen(Map<Long, Long> seenAt, long last, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!seenAt.containsKey(last) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static double[] latencies(Map<Long, Long> sentAt, Map<Long, Long> seenAt, long from, long to) {
        List<Double> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            Long a = sentAt.get(s);
            Long b = seenAt.get(s);
            if (a != null && b != null) {
                out.add((b - a) / 1e6);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    static double pct(double[] sorted, int pct) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(pct / 100.0 * sorted.length) - 1)];
    }

    /** The run with the median throughput. */
    public static Run median(List<Run> runs) {
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(Run::pointsPerS));
        return sorted.get(sorted.size() / 2);
    }
}
