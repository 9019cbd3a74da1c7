package io.meridian.broker.prom;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code prometheus} server as a child process on 127.0.0.1, with a configuration the test writes: the
 * real remote-write sender and remote-read client of the ecosystem.
 */
final class PrometheusProcess implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    /** {@code yaml} may use {@code %PORT%} for this server's own port (e.g. to scrape itself). */
    PrometheusProcess(Path dir, String yaml) throws IOException {
        Files.createDirectories(dir);
        port = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, yaml.replace("%PORT%", Integer.toString(port)));
        log = dir.resolve("prometheus.log");
        process = new ProcessBuilder(
                        BINARY.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("tsdb"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited: " + Files.readString(log));
            }
            return http.send(
                                    HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                    == 200;
        });
    }

    static boolean isInstalled() {
        return Files.isExecutable(BINARY);
    }

    int port() {
        return port;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code /api/v1/query} at {@code timeMs}; returns {@code data.result}. */
    JsonNode query(String promql, long timeMs) throws Exception {
        String q = "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&time="
                + (timeMs / 1000) + "." + String.format("%03d", timeMs % 1000);
        HttpResponse<String> r =
                http.send(HttpRequest.newBuilder(URI.create(url() + q)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("prometheus query " + promql + ": " + r.statusCode() + " " + r.body());
        }
        return body.path("data").path("result");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
