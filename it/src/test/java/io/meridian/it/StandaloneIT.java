package io.meridian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.common.io.FileTrees;
import io.meridian.common.io.LoopbackPorts;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.connector.kafka.IngestTopic;
import io.meridian.connector.kafka.MeridianKafkaProducer;
import io.meridian.meta.etcd.EtcdProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Standalone mode as a user runs it ({@code bin/meridian standalone} runs this main): one process that starts
 * etcd, Kafka, the Flink ingest job, a storage node and a broker; ready within 30 s; create a database, write
 * line protocol over HTTP and straight to Kafka, query with SQL once the job's checkpoint made the points
 * visible; SIGTERM stops everything with no etcd left behind; a restart on the same directory answers the same
 * query, with every point exactly once. SIGKILL in the middle of a dense stream (the job pre-aggregating it) and a
 * restart: every point exactly once again. {@code --direct} (no Kafka, no Flink) makes a write visible at once.
 */
class StandaloneIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every standalone this test started: stopped with SIGTERM after it, also when it failed half-way. */
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopWhatIsLeft() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                List<ProcessHandle> children = p.toHandle().descendants().toList();
                p.destroy(); // SIGTERM: standalone stops etcd itself; SIGKILL would orphan it
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                children.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void startWriteQueryStopRestartAndTheDataIsStillThere() throws Exception {
        Assumptions.assumeTrue(EtcdProcess.isInstalled(), "etcd is not installed");
        Path dir = freshDir("StandaloneIT");
        int port = LoopbackPorts.pick();
        String base = "http://127.0.0.1:" + port;
        long now = System.currentTimeMillis() / 1000;

        Process first = start(dir, port);
        assertThat(post(base + "/api/v1/databases", """
                {"name":"metrics","shards":2,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"}]}""").statusCode()).isEqualTo(201);
        HttpResponse<String> w =
                post(base + "/api/v1/write?db=metrics&precision=s", "cpu,host=web-1 usage=12.5 " + now);
        assertThat(w.statusCode()).as(w.body()).isEqualTo(204);
        // a producer of its own, straight to the ingest topic
        try (MeridianKafkaProducer producer =
                new MeridianKafkaProducer(kafkaBootstrap(dir), IngestTopic.DEFAULT_TOPIC)) {
            producer.send("metrics", "cpu,host=web-2 usage=40 " + now, Precision.SECONDS)
                    .get(30, TimeUnit.SECONDS);
        }
        String sql =
                "{\"db\":\"metrics\",\"sql\":\"SELECT host, SUM(usage) AS s FROM cpu GROUP BY host ORDER BY host\"}";
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> { // visible once the job's checkpoint completes
                            HttpResponse<String> q = post(base + "/api/v1/sql", sql);
                            assertThat(q.statusCode()).as(q.body()).isEqualTo(200);
                            assertThat(q.body()).contains("[\"web-1\",12.5]", "[\"web-2\",40.0]");
                        });
        // one /metrics for the whole process: the broker's meters and the storage node's
        HttpResponse<String> metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("meridian_broker_http_requests_total")
                .contains("meridian_storage_points_written_total{db=\"metrics\"")
                .contains("meridian_storage_disk_free_bytes ")
                .contains("jvm_memory_used_bytes");
        // the CLI: admin and the SQL shell, as their own processes
        String admin = run("io.meridian.deploy.AdminMain", "--broker", base, "databases");
        assertThat(admin).contains("NAME", "metrics", "10s:30d");
        assertThat(run("io.meridian.deploy.AdminMain", "--broker", base, "nodes"))
                .contains("broker (master)", "storage-1");
        // both points leave the memtables for parts; the restart below then finds them in parts, not in the WAL
        assertThat(run("io.meridian.deploy.AdminMain", "--broker", base, "databases", "flush", "metrics"))
                .contains("flushed database metrics: 2 points from 2 replicas");
        assertThat(run(
                        "io.meridian.deploy.SqlShell",
                        "--url",
                        "jdbc:meridian://127.0.0.1:" + port + "/metrics",
                        "-e",
                        "SELECT host, SUM(usage) AS s FROM cpu GROUP BY host ORDER BY host;"))
                .contains("| web-1 | 12.5");

        // a second standalone on the same data directory is refused before it starts anything
        Process twice = new ProcessBuilder(standaloneCommand(dir, LoopbackPorts.pick()))
                .redirectErrorStream(true)
                .start();
        String refused = new String(twice.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(twice.waitFor(60, TimeUnit.SECONDS)).as(refused).isTrue();
        assertThat(twice.exitValue()).as(refused).isEqualTo(1);
        assertThat(refused).contains("the data directory is in use by another standalone Meridian", "pid=");
        HttpResponse<String> still = post(base + "/api/v1/sql", sql);
        assertThat(still.body()).as("the first one still serves").contains("[\"web-1\",12.5]");

        List<ProcessHandle> children = first.toHandle().descendants().toList();
        assertThat(children).as("etcd runs as a child").isNotEmpty();

        first.destroy(); // SIGTERM
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(children).as("no child left after SIGTERM").noneMatch(ProcessHandle::isAlive);

        Process second = start(dir, port);
        try {
            HttpResponse<String> again = post(base + "/api/v1/sql", sql);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
            assertThat(again.body())
                    .as("every point once: the job resumed from its checkpoint")
                    .contains("[\"web-1\",12.5]", "[\"web-2\",40.0]");
        } finally {
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void theReadmeQuickstartRunsAsWritten() throws Exception {
        Assumptions.assumeTrue(EtcdProcess.isInstalled(), "etcd is not installed");
        Path dir = freshDir("StandaloneIT-readme");
        int port = LoopbackPorts.pick();
        Process p = start(dir, port);
        List<String> commands = readmeQuickstart(port, kafkaBootstrap(dir));
        assertThat(commands).as("the README's quickstart commands").hasSize(5);
        List<String> out = new ArrayList<>();
        try {
            out.add(bash(commands.get(0)));
            out.add(bash(commands.get(1)));
            out.add(bash(commands.get(2)));
            // the README says: visible once the job's next checkpoint completes; run the query until it is
            await().atMost(Duration.ofSeconds(20))
                    .ignoreExceptions()
                    .until(() -> bash(commands.get(3)).contains("web-2"));
            out.add(bash(commands.get(3)));
            out.add(bash(commands.get(4)));
            assertThat(out.get(0)).contains("\"name\":\"metrics\"");
            assertThat(out.get(1)).isEmpty(); // 204
            assertThat(out.get(2)).contains("sent 1 lines in 1 records");
            assertThat(out.get(3)).contains("[\"web-1\",12.5,12.5]", "[\"web-2\",40.0,40.0]");
            assertThat(out.get(4)).contains("MeridianQuery", "groupBy=[host]", "aggregates=[max(usage)]");
        } finally {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
        }
        Process again = start(dir, port); // "start again and see the data"
        try {
            assertThat(bash(commands.get(3))).contains("[\"web-1\",12.5,12.5]", "[\"web-2\",40.0,40.0]");
        } finally {
            again.destroy();
            again.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void directModeWritesAreVisibleOnceAcknowledged() throws Exception {
        Assumptions.assumeTrue(EtcdProcess.isInstalled(), "etcd is not installed");
        Path dir = freshDir("StandaloneIT-direct");
        int port = LoopbackPorts.pick();
        String base = "http://127.0.0.1:" + port;
        Process p = start(dir, port, "--direct");
        try {
            assertThat(Files.exists(dir.resolve("kafka")))
                    .as("no Kafka in direct mode")
                    .isFalse();
            assertThat(post(base + "/api/v1/databases", """
                    {"name":"metrics","shards":1,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"}]}""").statusCode()).isEqualTo(201);
            assertThat(post(
                                    base + "/api/v1/write?db=metrics&precision=s",
                                    "cpu,host=a usage=1 " + System.currentTimeMillis() / 1000)
                            .statusCode())
                    .isEqualTo(204);
            HttpResponse<String> q = post(
                    base + "/api/v1/sql",
                    "{\"db\":\"metrics\",\"sql\":\"SELECT host, SUM(usage) FROM cpu GROUP BY host\"}");
            assertThat(q.body()).as("no waiting in direct mode").contains("[\"a\",1.0]");
        } finally {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHeapTooSmallForEveryRolesSharesStopsTheStartNamingThemAndLeavesNothingBehind() throws Exception {
        Assumptions.assumeTrue(EtcdProcess.isInstalled(), "etcd is not installed");
        Path dir = freshDir("StandaloneIT-small-heap");
        int port = LoopbackPorts.pick();
        List<String> cmd = standaloneCommand(dir, port);
        cmd.add(1, "-Xmx256m"); // Kafka mode's shares sum to about 220 MiB there, over 75% of it
        Process small = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        started.add(small);
        CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(small.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        assertThat(small.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // the output ends when every holder of the pipe is gone, etcd included
        String output = read.get(30, TimeUnit.SECONDS);
        assertThat(small.exitValue()).as(output).isEqualTo(1);
        assertThat(output)
                .contains("memory shares do not fit the heap [role=standalone, heap=256MiB")
                .contains(
                        "storage.memtable.node-limit=", "storage.block-cache.size=", "broker.http.max-in-flight-bytes=")
                .contains(
                        "queued.max.request.bytes=", "ingest.kafka.fetch-max-bytes=", "ingest.preaggregate.max-cells=")
                .contains("MERIDIAN_STANDALONE_JAVA_OPTS=-Xmx")
                .as("a configuration error, not a crash: no stack trace")
                .doesNotContain("\tat io.meridian");
        // nothing left behind: the same directory starts with a heap that fits (etcd stopped, the lock released)
        start(dir, port);
        HttpResponse<String> created = post("http://127.0.0.1:" + port + "/api/v1/databases", """
                {"name":"fits","shards":1,"replicas":1,"intervals":[{"interval":"10s","retention":"1d"}]}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @Test
    void aKilledStandaloneResumesADenseStreamExactlyOnce() throws Exception {
        Assumptions.assumeTrue(EtcdProcess.isInstalled(), "etcd is not installed");
        Path dir = freshDir("StandaloneIT-kill");
        int port = LoopbackPorts.pick();
        String base = "http://127.0.0.1:" + port;
        Process first = start(dir, port);
        assertThat(post(base + "/api/v1/databases", """
                {"name":"dense","shards":2,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"},
                 {"interval":"5m","retention":"90d"}]}""").statusCode()).isEqualTo(201);
        // 200 hosts, a line of four fields every 100 ms each (a hundred points per series and field per 10 s slot:
        // the job folds them) for 17 minutes; the count and sum of one field are checked
        long t0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;
        int hosts = 200;
        int ticks = 10_000;
        long points = 0;
        long sum = 0;
        List<String> records = new ArrayList<>();
        for (int tick0 = 0; tick0 < ticks; tick0 += 10) {
            StringBuilder sb = new StringBuilder(80 * 10 * hosts);
            for (int tick = tick0; tick < tick0 + 10; tick++) {
                for (int h = 0; h < hosts; h++) {
                    int v = (h + tick) % 7;
                    sb.append("hits,host=h")
                            .append(h)
                            .append(" requests=")
                            .append(v)
                            .append(",queue=")
                            .append(tick % 50)
                            .append(",load=")
                            .append(h % 13)
                            .append(".5,temp=")
                            .append(20 + tick % 5)
                            .append(' ')
                            .append(t0 + tick * 100L)
                            .append('\n');
                    points++;
                    sum += v;
                }
            }
            records.add(sb.toString());
        }
        String sql = "{\"db\":\"dense\",\"sql\":\"SELECT COUNT(requests) AS n, SUM(requests) AS s FROM hits\"}";
        try (MeridianKafkaProducer producer =
                new MeridianKafkaProducer(kafkaBootstrap(dir), IngestTopic.DEFAULT_TOPIC)) {
            // a quarter, until the job's first checkpoint made some of it visible
            for (String r : records.subList(0, records.size() / 4)) {
                producer.send("dense", r, Precision.MILLISECONDS);
            }
            producer.flush();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> countAndSum(base, sql)[0] > 0);
            // the rest at once (built beforehand): the job is far behind Kafka when it is killed
            for (String r : records.subList(records.size() / 4, records.size())) {
                producer.send("dense", r, Precision.MILLISECONDS);
            }
            producer.flush(); // every record acknowledged by Kafka before the kill
        }
        long seen = countAndSum(base, sql)[0];
        killWithChildren(first); // SIGKILL, etcd with it: no shutdown of any kind
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(seen)
                .as("points visible when killed: the middle of the stream")
                .isLessThan(points);

        start(dir, port);
        long[] want = {points, sum};
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(countAndSum(base, sql))
                        .as("count and sum: every point once, the job resumed from its last checkpoint")
                        .containsExactly(want));
        HttpResponse<String> metrics = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        double written = metricSum(metrics.body(), "meridian_storage_points_written_total{db=\"dense\"");
        double cells = metricSum(metrics.body(), "meridian_storage_cells_written_total{db=\"dense\"");
        assertThat(cells)
                .as("cells stored after the restart for %.0f points: the job folded them", written)
                .isGreaterThan(0)
                .isLessThan(written / 4);
        // points and cells count WAL replay too, WAL bytes only what was appended since the restart: how much of the
        // stream was logged before the kill varies, so only the bounds that hold either way are asserted (a raw
        // point costs the WAL about 8 bytes, a folded one well under 1)
        assertThat(metricSum(metrics.body(), "meridian_storage_wal_written_bytes_total{db=\"dense\""))
                .as("WAL bytes appended after the restart for %.0f points, in Prometheus' naming", written)
                .isGreaterThan(0)
                .isLessThan(written);
    }

    /** {@code [count, sum]} of the statement's one row; {@code [0, 0]} while the table does not exist yet. */
    private static long[] countAndSum(String base, String sql) throws Exception {
        HttpResponse<String> q = post(base + "/api/v1/sql", sql);
        if (q.statusCode() != 200) {
            assertThat(q.body()).as("before the first point").contains("hits");
            return new long[] {0, 0};
        }
        JsonNode row = JSON.readTree(q.body()).path("rows").path(0);
        return new long[] {row.path(0).asLong(), row.path(1).asLong()};
    }

    /** The sum of every sample of the Prometheus text lines that start with {@code prefix}. */
    private static double metricSum(String text, String prefix) {
        return text.lines()
                .filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** An empty directory under target/it-clusters for one test's standalone. */
    private static Path freshDir(String name) throws IOException {
        Path dir = Path.of("target", "it-clusters", name).toAbsolutePath();
        FileTrees.delete(dir);
        return dir;
    }

    /** The standalone's Kafka bootstrap address, from the state it keeps in its data directory. */
    private static String kafkaBootstrap(Path dir) throws IOException {
        Properties state = new Properties();
        try (var in = Files.newInputStream(dir.resolve("standalone.properties"))) {
            state.load(in);
        }
        return "127.0.0.1:" + state.getProperty("kafka.port");
    }

    /**
     * The command lines of the README's quickstart, pointed at {@code port} instead of 8080 and at the test's
     * Kafka; {@code bin/meridian produce} runs its main class from the test class path (no build).
     */
    private static List<String> readmeQuickstart(int port, String kafka) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int from = lines.indexOf("In another terminal:");
        List<String> commands = new ArrayList<>();
        boolean inBlock = false;
        for (String line : lines.subList(from, lines.size())) {
            if (line.startsWith("```")) {
                if (inBlock) {
                    break;
                }
                inBlock = true;
            } else if (inBlock && (line.startsWith("curl ") || line.startsWith("echo "))) {
                commands.add(line.replace("localhost:8080", "127.0.0.1:" + port)
                        .replace(
                                "bin/meridian produce",
                                "'" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
                                        + System.getProperty("java.class.path")
                                        + "' io.meridian.deploy.ProduceMain --kafka "
                                        + kafka));
            }
        }
        return commands;
    }

    private static String bash(String command) throws Exception {
        // stdout only: curl writes its progress meter to stderr when not on a terminal
        Process p = new ProcessBuilder("bash", "-c", command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(command + "\n" + out).isZero();
        return out;
    }

    /** The command line of a standalone on {@code dir} and HTTP port {@code port}, Kafka on a free port. */
    private static List<String> standaloneCommand(Path dir, int port) {
        return new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.meridian.deploy.StandaloneMain",
                "--data-dir",
                dir.toString(),
                "--http-port",
                Integer.toString(port),
                "--kafka-port",
                "0"));
    }

    /** Starts the standalone main and waits (30 s at most) until it prints that it is ready. */
    private Process start(Path dir, int port, String... options) throws Exception {
        List<String> cmd = standaloneCommand(dir, port);
        cmd.add(1, "-Xmx768m");
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        started.add(p);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> killWithChildren(p)));
        CompletableFuture<Void> ready = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            synchronized (output) {
                                output.append(line).append('\n');
                            }
                            if (line.contains("Meridian standalone is ready")) {
                                ready.complete(null);
                            }
                        }
                    } catch (IOException ignored) {
                        // the process ended
                    }
                    ready.completeExceptionally(new IllegalStateException("standalone exited before it was ready"));
                },
                "standalone-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            killWithChildren(p);
            synchronized (output) {
                throw new AssertionError("standalone not ready within 30 s:\n" + output, e);
            }
        }
        return p;
    }

    /** SIGKILL of the process and of its children (etcd): nothing is left behind when a test is aborted. */
    private static void killWithChildren(Process p) {
        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Runs a main class of the test class path to its end and returns its output. */
    private static String run(String main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                main));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
