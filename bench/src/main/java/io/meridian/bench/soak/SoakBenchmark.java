package io.meridian.bench.soak;

import io.meridian.bench.tsbs.CpuOnlyGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sustained load and what it does to the server over time (issue 17's soak): TSBS {@code cpu-only} line protocol
 * posted at a fixed rate by several clients, while the four TSBS query shapes run once a second each, for a number of
 * minutes. Every minute it prints the points/s achieved, the refusals (503), the heap after the last collection
 * ({@code jvm_gc_live_data_size_bytes} from the server's {@code /metrics}), the node's memtable bytes, the server's
 * RSS (with {@code --pid}), each shape's median and p99, and how long an acknowledged write took to become visible
 * ({@link VisibilityProbe}); at the end, the first minutes against the last ones.
 *
 * <p>Time is simulated, as a TSBS load is: the data starts 60 days back and each body is the next ten 10-second
 * intervals of every host, so the series stay the same and the shards see a steady stream of new rows. The bodies are
 * made once (an hour of values per host, repeated) and only their timestamps are rewritten before each post, so the
 * client spends its CPU on sending, not on formatting numbers.
 */
public final class SoakBenchmark {
    private static final long INTERVAL_MS = CpuOnlyGenerator.ROW_INTERVAL_MS;
    /** Intervals per body: 10 x 1,000 hosts = 10,000 lines, the TSBS loaders' batch. */
    private static final int INTERVALS_PER_BODY = 10;
    /** Bodies of distinct values (an hour of data); later bodies repeat them with new timestamps. */
    private static final int TEMPLATES = 36;

    private static final String[] SHAPES = {"single-groupby-1-1-1", "cpu-max-all-1", "double-groupby-1", "lastpoint"};
    private static final Pattern LIVE = Pattern.compile("(?m)^jvm_gc_live_data_size_bytes (\\S+)$");
    private static final Pattern MEMTABLE = Pattern.compile("(?m)^meridian_storage_memtable_node_bytes (\\S+)$");
    /** Kafka mode: records of the ingest topic the job has not committed (absent in direct mode). */
    private static final Pattern LAG =
            Pattern.compile("(?m)^meridian_broker_kafka_ingest_lag_records\\{[^}]*} (\\S+)$");

    private final String url;
    private final String db;
    private final int hosts;
    private final long pointsPerSecond;
    private final int minutes;
    private final int clients;
    private final Long pid;
    private final PrintStream out;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final long startMs;
    /** Next body (interval block) to send. */
    private final AtomicLong nextBody = new AtomicLong();
    /** Newest interval acknowledged, for the queries' "now". */
    private final AtomicLong newestAckedMs = new AtomicLong();

    private final LongAdder points = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Map<String, List<Double>> latencies = new ConcurrentHashMap<>();
    private final LongAdder queryErrors = new LongAdder();

    public SoakBenchmark(
            String url,
            String db,
            int hosts,
            long pointsPerSecond,
            int minutes,
            int clients,
            Long pid,
            PrintStream out) {
        this.url = url.replaceAll("/+$", "");
        this.db = db;
        this.hosts = hosts;
        this.pointsPerSecond = pointsPerSecond;
        this.minutes = minutes;
        this.clients = clients;
        this.pid = pid;
        this.out = out;
        long day = 86_400_000L;
        this.startMs = Math.floorDiv(System.currentTimeMillis(), day) * day - 60 * day;
    }

    /** One template body: its bytes, and where each line's 19 timestamp digits start. */
    private record Template(byte[] bytes, int[] tsAt) {}

    /** @return 0 when every write was acknowledged and every query answered */
    public int run() throws Exception {
        createDatabase();
        List<Template> templates = templates();
        long pointsPerBody = (long) hosts * INTERVALS_PER_BODY * CpuOnlyGenerator.FIELDS.size();
        double bodiesPerSecond = (double) pointsPerSecond / pointsPerBody;
        long t0 = System.nanoTime();
        long endNanos = t0 + minutes * 60_000_000_000L;
        out.printf(
                Locale.ROOT,
                "soak: %,d points/s (%.1f bodies of %,d points a second) for %d min, %d clients, into %s db=%s;"
                        + " the four TSBS shapes once a second each%n",
                pointsPerSecond,
                bodiesPerSecond,
                pointsPerBody,
                minutes,
                clients,
                url,
                db);
        out.println("minute | points/s | 503s | heap after GC MiB | memtables MiB | RSS MiB | "
                + String.join(
                        " | ", Arrays.stream(SHAPES).map(s -> s + " p50/p99 ms").toList())
                + " | visible after ack p50/p99/max ms | Kafka mode: ingest lag records (max)");
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(new Thread(() -> write(templates, t0, endNanos, bodiesPerSecond), "soak-writer-" + c));
        }
        threads.add(new Thread(() -> query(endNanos), "soak-queries"));
        threads.forEach(Thread::start);
        VisibilityProbe visibility = new VisibilityProbe(http, url, db, startMs - 86_400_000L);
        threads.addAll(visibility.start(endNanos));
        List<double[]> minutesSeen = new ArrayList<>();
        long lastPoints = 0;
        for (int m = 1; m <= minutes; m++) {
            long until = t0 + m * 60_000_000_000L;
            double liveMax = 0;
            double memtableMax = 0;
            double lagMax = Double.NaN;
            while (System.nanoTime() < until) {
                String metrics = get(url + "/metrics");
                liveMax = Math.max(liveMax, gauge(LIVE, metrics));
                memtableMax = Math.max(memtableMax, gauge(MEMTABLE, metrics));
                double lag = gauge(LAG, metrics);
                lagMax = Double.isNaN(lagMax) ? lag : Math.max(lagMax, lag);
                Thread.sleep(Math.max(1, Math.min(5_000, (until - System.nanoTime()) / 1_000_000)));
            }
            long p = points.sum();
            double[] row = new double[4 + SHAPES.length * 2 + 2];
            row[0] = (p - lastPoints) / 60.0;
            row[1] = liveMax / (1 << 20);
            row[2] = memtableMax / (1 << 20);
            row[3] = rssMiB();
            StringBuilder line = new StringBuilder(String.format(
                    Locale.ROOT,
                    "%6d | %,9.0f | %4d | %17.0f | %13.0f | %7.0f",
                    m,
                    row[0],
                    refused.sumThenReset(),
                    row[1],
                    row[2],
                    row[3]));
            for (int s = 0; s < SHAPES.length; s++) {
                List<Double> l = drain(SHAPES[s]);
                row[4 + 2 * s] = quantile(l, 0.5);
                row[5 + 2 * s] = quantile(l, 0.99);
                line.append(String.format(Locale.ROOT, " | %.1f / %.1f", row[4 + 2 * s], row[5 + 2 * s]));
            }
            List<Double> visible = visibility.drain();
            int v = 4 + SHAPES.length * 2;
            row[v] = quantile(visible, 0.5);
            row[v + 1] = quantile(visible, 0.99);
            line.append(String.format(
                    Locale.ROOT,
                    " | %.0f / %.0f / %.0f (%d probes)",
                    row[v],
                    row[v + 1],
                    quantile(visible, 1.0),
                    visible.size()));
            if (!Double.isNaN(lagMax)) {
                line.append(String.format(Locale.ROOT, " | %,.0f", lagMax));
            }
            out.println(line);
            if (visibility.lastError() != null) {
                out.println("  visibility probe: " + visibility.lastError());
            }
            minutesSeen.add(row);
            lastPoints = p;
        }
        for (Thread t : threads) {
            t.join();
        }
        summary(minutesSeen);
        return failed.sum() == 0 && queryErrors.sum() == 0 ? 0 : 1;
    }

    private void summary(List<double[]> rows) {
        int k = Math.max(1, Math.min(5, rows.size() / 3));
        double[] first = mean(rows.subList(0, k));
        double[] last = mean(rows.subList(rows.size() - k, rows.size()));
        out.printf(
                Locale.ROOT,
                "first %d min against last %d min: points/s %,.0f -> %,.0f; heap after GC %.0f -> %.0f MiB;"
                        + " RSS %.0f -> %.0f MiB%n",
                k,
                k,
                first[0],
                last[0],
                first[1],
                last[1],
                first[3],
                last[3]);
        for (int s = 0; s < SHAPES.length; s++) {
            out.printf(
                    Locale.ROOT,
                    "  %s p50 %.1f -> %.1f ms, p99 %.1f -> %.1f ms%n",
                    SHAPES[s],
                    first[4 + 2 * s],
                    last[4 + 2 * s],
                    first[5 + 2 * s],
                    last[5 + 2 * s]);
        }
        int v = 4 + SHAPES.length * 2;
        out.printf(
                Locale.ROOT,
                "  visible after ack p50 %.0f -> %.0f ms, p99 %.0f -> %.0f ms%n",
                first[v],
                last[v],
                first[v + 1],
                last[v + 1]);
        out.printf(
                Locale.ROOT,
                "points acknowledged %,d; writes failed %d; queries failed %d%n",
                points.sum(),
                failed.sum(),
                queryErrors.sum());
    }

    private static double[] mean(List<double[]> rows) {
        double[] m = new double[rows.get(0).length];
        for (double[] r : rows) {
            for (int i = 0; i < m.length; i++) {
                m[i] += r[i] / rows.size();
            }
        }
        return m;
    }

    private void write(List<Template> templates, long t0, long endNanos, double bodiesPerSecond) {
        byte[] body = null;
        while (true) {
            long n = nextBody.getAndIncrement();
            long due = t0 + (long) (n / bodiesPerSecond * 1e9);
            if (due >= endNanos) {
                return;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                sleepNanos(wait);
            }
            Template t = templates.get((int) (n % TEMPLATES));
            if (body == null || body.length != t.bytes().length) {
                body = new byte[t.bytes().length];
            }
            System.arraycopy(t.bytes(), 0, body, 0, body.length);
            long firstMs = startMs + n * INTERVALS_PER_BODY * INTERVAL_MS;
            for (int line = 0; line < t.tsAt().length; line++) {
                long tsNs = (firstMs + (line / hosts) * INTERVAL_MS) * 1_000_000L;
                putDigits(body, t.tsAt()[line], tsNs);
            }
            post(body, firstMs + (INTERVALS_PER_BODY - 1) * INTERVAL_MS);
        }
    }

    private void post(byte[] body, long newestMs) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/write?db=" + db + "&precision=ns"))
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 204) {
                    points.add((long) hosts * INTERVALS_PER_BODY * CpuOnlyGenerator.FIELDS.size());
                    newestAckedMs.accumulateAndGet(newestMs, Math::max);
                    return;
                }
                if (r.statusCode() == 503 || r.statusCode() == 429) {
                    refused.increment();
                    long after = r.headers().firstValueAsLong("Retry-After").orElse(1);
                    sleepNanos(Math.min(after, 5) * 1_000_000_000L);
                    continue;
                }
                out.println("write refused: HTTP " + r.statusCode() + ": " + r.body());
                failed.increment();
                return;
            } catch (IOException e) {
                out.println("write failed: " + e);
                failed.increment();
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        failed.increment();
    }

    private void query(long endNanos) {
        String maxAll = String.join(
                ", ",
                CpuOnlyGenerator.FIELDS.stream()
                        .map(f -> "MAX(" + f + ") AS " + f)
                        .toList());
        String lastAll = String.join(
                ", ",
                CpuOnlyGenerator.FIELDS.stream()
                        .map(f -> "LAST(" + f + ") AS " + f)
                        .toList());
        while (System.nanoTime() < endNanos) {
            long tick = System.nanoTime();
            long now = newestAckedMs.get();
            if (now > startMs + 12 * 3_600_000L) {
                long hour = Math.floorDiv(now, 3_600_000L) * 3_600_000L;
                String host = "host_" + ThreadLocalRandom.current().nextInt(hosts);
                sql(
                        SHAPES[0],
                        "SELECT FLOOR(ts TO MINUTE) AS minute, MAX(usage_user) AS usage_user FROM cpu WHERE"
                                + " hostname = '" + host + "' AND ts >= " + ts(hour - 3_600_000L) + " AND ts < "
                                + ts(hour)
                                + " GROUP BY FLOOR(ts TO MINUTE) ORDER BY minute");
                sql(
                        SHAPES[1],
                        "SELECT FLOOR(ts TO HOUR) AS hour, " + maxAll + " FROM cpu WHERE hostname = '" + host
                                + "' AND ts >= " + ts(hour - 8 * 3_600_000L) + " AND ts < " + ts(hour)
                                + " GROUP BY FLOOR(ts TO HOUR) ORDER BY hour");
                sql(
                        SHAPES[2],
                        "SELECT FLOOR(ts TO HOUR) AS hour, hostname, AVG(usage_user) AS usage_user FROM cpu"
                                + " WHERE ts >= " + ts(hour - 12 * 3_600_000L) + " AND ts < " + ts(hour)
                                + " GROUP BY FLOOR(ts TO HOUR), hostname ORDER BY hour, hostname");
                sql(SHAPES[3], "SELECT hostname, " + lastAll + " FROM cpu GROUP BY hostname");
            }
            sleepNanos(1_000_000_000L - (System.nanoTime() - tick));
        }
    }

    private void sql(String shape, String sql) {
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create(url + "/api/v1/sql?db=" + URLEncoder.encode(db, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(sql))
                .build();
        long t = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                queryErrors.increment();
                out.println(shape + ": HTTP " + r.statusCode() + ": " + r.body());
                return;
            }
            List<Double> l = latencies.computeIfAbsent(shape, k -> new ArrayList<>());
            synchronized (l) {
                l.add((System.nanoTime() - t) / 1e6);
            }
        } catch (IOException e) {
            queryErrors.increment();
            out.println(shape + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Double> drain(String shape) {
        List<Double> l = latencies.get(shape);
        if (l == null) {
            return List.of();
        }
        synchronized (l) {
            List<Double> copy = new ArrayList<>(l);
            l.clear();
            return copy;
        }
    }

    private static double quantile(List<Double> l, double q) {
        if (l.isEmpty()) {
            return Double.NaN;
        }
        double[] a = l.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a[Math.min(a.length - 1, (int) Math.floor(q * a.length))];
    }

    private static String ts(long ms) {
        return "TIMESTAMP '"
                + Instant.ofEpochMilli(ms).toString().replace('T', ' ').replace("Z", "") + "'";
    }

    private List<Template> templates() {
        CpuOnlyGenerator gen = new CpuOnlyGenerator(hosts, 1, CpuOnlyGenerator.ValueMode.FLOAT);
        int fields = CpuOnlyGenerator.FIELDS.size();
        String[] prefixes = new String[hosts];
        for (int h = 0; h < hosts; h++) {
            StringBuilder sb = new StringBuilder(CpuOnlyGenerator.MEASUREMENT);
            gen.key(h)
                    .tags()
                    .forEach((k, v) -> sb.append(',').append(k).append('=').append(v));
            prefixes[h] = sb.append(' ').toString();
        }
        double[] row = new double[fields];
        List<Template> out = new ArrayList<>(TEMPLATES);
        for (int t = 0; t < TEMPLATES; t++) {
            StringBuilder sb = new StringBuilder();
            int[] tsAt = new int[INTERVALS_PER_BODY * hosts];
            int line = 0;
            for (int i = 0; i < INTERVALS_PER_BODY; i++) {
                for (int h = 0; h < hosts; h++) {
                    gen.nextRows(h, 1, row);
                    StringBuilder l = new StringBuilder(prefixes[h]);
                    for (int f = 0; f < fields; f++) {
                        l.append(f == 0 ? "" : ",")
                                .append(CpuOnlyGenerator.FIELDS.get(f))
                                .append('=');
                        double v = row[f];
                        l.append(v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v));
                    }
                    l.append(' ');
                    tsAt[line++] = sb.length() + l.length(); // ASCII: chars are bytes
                    sb.append(l).append("0".repeat(19)).append('\n');
                }
            }
            out.add(new Template(sb.toString().getBytes(StandardCharsets.US_ASCII), tsAt));
        }
        return out;
    }

    /** Writes {@code v} as exactly 19 decimal digits at {@code at} (ns timestamps of this century are 19 digits). */
    private static void putDigits(byte[] b, int at, long v) {
        for (int i = at + 18; i >= at; i--) {
            b[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
    }

    private void createDatabase() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url + "/api/v1/databases"))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"name\":\"" + db + "\",\"shards\":2,\"replicas\":1,"
                                        + "\"intervals\":[{\"interval\":\"10s\",\"retention\":\"3650d\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201 && r.statusCode() != 409) {
            throw new IllegalStateException(
                    "cannot create database " + db + ": HTTP " + r.statusCode() + ": " + r.body());
        }
        for (int i = 0; i < 600; i++) { // until the shards have leaders: a write answers 204
            HttpResponse<String> w = http.send(
                    HttpRequest.newBuilder(URI.create(url + "/write?db=" + db + "&precision=ms"))
                            .POST(HttpRequest.BodyPublishers.ofString("soak_probe value=1 " + startMs))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (w.statusCode() == 204) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("database " + db + " does not take writes after 60 s");
    }

    private String get(String u) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(u)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static double gauge(Pattern p, String metrics) {
        Matcher m = p.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private double rssMiB() {
        if (pid == null) {
            return Double.NaN;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid.toString(), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** Sleeps {@code nanos} (nothing when not positive): the load's pacing, not a wait for a condition. */
    static void sleepNanos(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
