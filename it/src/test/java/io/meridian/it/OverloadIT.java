package io.meridian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.common.io.FileTrees;
import io.meridian.common.io.LoopbackPorts;
import io.meridian.meta.etcd.EtcdProcess;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * An overloaded node slows down, it never dies: a standalone ({@code --direct}) given a deliberately small heap
 * (512 MiB) is sent more than it takes at once by 4 clients posting 10,000-line bodies as fast as they are
 * answered. It may answer 503 (bodies in flight at their bound, or the storage node's memtables at theirs: BUSY)
 * and the clients then retry, as the Retry-After says; it must not run out of memory (every role runs with
 * -XX:+ExitOnOutOfMemoryError, so it would exit), and after the load every acknowledged point is visible
 * exactly once. Bounded: 96 bodies (9.6 M points), at most 4 minutes.
 */
class OverloadIT {
    private static final int BODIES = 96;
    private static final int HOSTS = 100;
    private static final int ROWS_PER_HOST = 100;
    private static final long T0 = (System.currentTimeMillis() / 86_400_000L - 2) * 86_400_000L;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process standalone;
    /** Its etcd, seen while it ran: a standalone that ended on an OutOfMemoryError leaves it for us to stop. */
    private List<ProcessHandle> children = List.of();

    @AfterEach
    void stop() throws InterruptedException {
        if (standalone != null) {
            List<ProcessHandle> all = new ArrayList<>(children);
            all.addAll(standalone.toHandle().descendants().toList());
            standalone.destroy();
            if (!standalone.waitFor(60, TimeUnit.SECONDS)) {
                standalone.destroyForcibly();
            }
            all.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aSmallHeapUnderMoreWritesThanItTakesAnswers503AndLosesNothing() throws Exception {
        Assumptions.assumeTrue(EtcdProcess.isInstalled(), "etcd is not installed");
        Path dir = Path.of("target", "it-clusters", "OverloadIT").toAbsolutePath();
        FileTrees.delete(dir);
        Files.createDirectories(dir);
        int port = LoopbackPorts.pick();
        String base = "http://127.0.0.1:" + port;
        Path log = dir.resolve("standalone.log");
        standalone = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.meridian.deploy.StandaloneMain",
                        "--direct",
                        "--data-dir",
                        dir.resolve("data").toString(),
                        "--http-port",
                        Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            assertThat(standalone.isAlive()).as("standalone runs").isTrue();
            return get(base + "/health/ready").statusCode() == 200;
        });
        children = standalone.toHandle().descendants().toList();
        HttpResponse<String> ddl = post(base + "/api/v1/databases", """
                {"name":"load","shards":2,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"}]}""");
        assertThat(ddl.statusCode()).as(ddl.body()).isEqualTo(201);

        AtomicInteger next = new AtomicInteger();
        AtomicLong acknowledgedRows = new AtomicLong();
        AtomicLong refusals = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                done.add(clients.submit(() -> {
                    for (int b = next.getAndIncrement(); b < BODIES; b = next.getAndIncrement()) {
                        String body = body(b);
                        while (true) {
                            assertThat(System.nanoTime())
                                    .as("the load finishes in time")
                                    .isLessThan(deadline);
                            HttpResponse<String> r = post(base + "/write?db=load&precision=ms", body);
                            if (r.statusCode() == 204) {
                                acknowledgedRows.addAndGet((long) HOSTS * ROWS_PER_HOST);
                                break;
                            }
                            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                            assertThat(r.headers().firstValue("Retry-After")).isPresent();
                            refusals.incrementAndGet();
                            // a client's back-off before its retry (what a 503 asks of it), not a wait for a
                            // condition of the test: shorter than Retry-After so that the load stays heavy
                            Thread.sleep(200);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(standalone.isAlive()).as("alive after the load").isTrue();
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
        assertThat(acknowledgedRows.get()).isEqualTo((long) BODIES * HOSTS * ROWS_PER_HOST);
        HttpResponse<String> count =
                post(base + "/api/v1/sql", "{\"db\":\"load\",\"sql\":\"SELECT COUNT(*) FROM cpu\"}");
        assertThat(count.statusCode()).as(count.body()).isEqualTo(200);
        assertThat(count.body())
                .as("every acknowledged point, exactly once (%d refusals were retried)", refusals.get())
                .contains("\"rows\":[[" + acknowledgedRows.get() + "]]");
    }

    /** Body {@code b}: 100 hosts x 100 slots of its own, 10 fields per line. */
    private static String body(int b) {
        StringBuilder s = new StringBuilder(HOSTS * ROWS_PER_HOST * 200);
        for (int r = 0; r < ROWS_PER_HOST; r++) {
            long ts = T0 + ((long) b * ROWS_PER_HOST + r) * 10_000L;
            for (int h = 0; h < HOSTS; h++) {
                s.append("cpu,hostname=host_")
                        .append(h)
                        .append(",region=r")
                        .append(h % 4)
                        .append(' ');
                for (int f = 0; f < 10; f++) {
                    s.append(f == 0 ? "" : ",")
                            .append("usage_")
                            .append(f)
                            .append('=')
                            .append((h * 31 + r * 7 + f) % 100);
                }
                s.append(' ').append(ts).append('\n');
            }
        }
        return s.toString();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
