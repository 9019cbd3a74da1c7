package io.meridian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.common.io.FileTrees;
import io.meridian.common.io.LoopbackPorts;
import io.meridian.meta.etcd.EtcdProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code /health/ready} tells the truth (API.md: ready means it serves DDL, reads and writes): polled from the
 * moment the process is launched, every answer is 503 with a JSON body naming what it waits for, or 200; the
 * instant it turns 200, CREATE DATABASE, a write and a query all succeed. For the standalone (Kafka + Flink)
 * and for a cluster started by {@code bin/meridian cluster up}.
 */
class ReadinessIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : started) {
            List<ProcessHandle> children = p.toHandle().descendants().toList();
            p.destroy(); // SIGTERM: both mains stop their children themselves
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void standaloneIsReadyOnlyWhenDdlWritesAndQueriesWork() throws Exception {
        Assumptions.assumeTrue(EtcdProcess.isInstalled(), "etcd is not installed");
        Path dir = freshDir("ReadinessIT-standalone");
        int port = LoopbackPorts.pick();
        launch(
                "io.meridian.deploy.StandaloneMain",
                "--data-dir",
                dir.toString(),
                "--http-port",
                Integer.toString(port),
                "--kafka-port",
                "0");
        Set<String> waitedFor = pollUntilReady("http://127.0.0.1:" + port);
        assertThat(String.join("\n", waitedFor))
                .as("what a not-ready broker said it waited for")
                .contains("ingest: the Flink ingest job is not running yet");
        useAtOnce("http://127.0.0.1:" + port, false);
    }

    @Test
    void aClusterFromClusterUpIsReadyOnlyWhenDdlWritesAndQueriesWork() throws Exception {
        Assumptions.assumeTrue(EtcdProcess.isInstalled(), "etcd is not installed");
        Path dir = freshDir("ReadinessIT-cluster");
        int port = LoopbackPorts.pick();
        launch(
                "io.meridian.deploy.ClusterMain",
                "up",
                "--brokers",
                "1",
                "--storage",
                "1",
                "--dir",
                dir.toString(),
                "--http-port",
                Integer.toString(port));
        pollUntilReady("http://127.0.0.1:" + port);
        useAtOnce("http://127.0.0.1:" + port, true);
    }

    /** Polls from the first moment; returns the distinct "waitingFor" entries seen before the first 200. */
    private Set<String> pollUntilReady(String base) throws Exception {
        Set<String> waited = new LinkedHashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(started.get(0).isAlive())
                    .as("the launched process is running")
                    .isTrue();
            HttpResponse<String> r;
            try {
                r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException notListeningYet) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                continue;
            }
            if (r.statusCode() == 200) {
                assertThat(JSON.readTree(r.body()).path("status").asText()).isEqualTo("ready");
                return waited;
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.path("status").asText()).isEqualTo("not ready");
            assertThat(body.path("waitingFor").isArray()
                            && body.path("waitingFor").size() > 0)
                    .as(r.body())
                    .isTrue();
            assertThat(body.path("error").asText()).startsWith("not ready: waiting for ");
            body.path("waitingFor").forEach(w -> waited.add(w.asText()));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("not ready within 90 s; waited for " + waited);
    }

    /**
     * The instant it is ready: DDL and a write must succeed at the first try; the query too when writes are
     * direct, and in Kafka mode once the job's next checkpoint made the point visible (bounded).
     */
    private static void useAtOnce(String base, boolean direct) throws Exception {
        HttpResponse<String> ddl = post(base + "/api/v1/databases", """
                {"name":"r","shards":1,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"}]}""");
        assertThat(ddl.statusCode()).as(ddl.body()).isEqualTo(201);
        HttpResponse<String> write = post(
                base + "/api/v1/write?db=r&precision=s", "cpu,host=a usage=1 " + System.currentTimeMillis() / 1000);
        assertThat(write.statusCode()).as(write.body()).isEqualTo(204);
        String sql = "{\"db\":\"r\",\"sql\":\"SELECT COUNT(*) FROM cpu\"}";
        if (direct) {
            HttpResponse<String> query = post(base + "/api/v1/sql", sql);
            assertThat(query.statusCode()).as(query.body()).isEqualTo(200);
            assertThat(query.body()).contains("\"rows\":[[1]]");
        } else {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HttpResponse<String> query = post(base + "/api/v1/sql", sql);
                assertThat(query.statusCode()).as(query.body()).isEqualTo(200);
                assertThat(query.body()).contains("\"rows\":[[1]]");
            });
        }
    }

    private void launch(String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "-cp",
                System.getProperty("java.class.path"),
                main));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(p);
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Path freshDir(String name) throws IOException {
        Path dir = Path.of("target", "it-clusters", name).toAbsolutePath();
        FileTrees.delete(dir);
        return dir;
    }
}
