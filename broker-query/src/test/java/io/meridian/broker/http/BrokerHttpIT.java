package io.meridian.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.broker.write.ShardWriter;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.storage.testing.LocalStorageCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's HTTP write endpoint against etcd, the master and three replicating storage nodes: a plain and a
 * gzip body are written (204), and bad input is refused with the documented status and a JSON error that names
 * what and where: bad lines, an unknown database, a missing database, a bad precision, too large a body, an
 * unknown path.
 */
@ExtendWith(EtcdExtension.class)
class BrokerHttpIT {
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;

    @TempDir
    Path dir;

    @Test
    void writesAndBadInput(EtcdProcess etcd) throws Exception {
        try (LocalStorageCluster cluster = new LocalStorageCluster(etcd, dir, "/broker-http-it");
                ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30));
                BrokerHttpServer server = BrokerHttpServer.start("127.0.0.1", 0, 64 * 1024, 4, cluster.cache, writer)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            assertThat(get(http, base + "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(http, base + "/health/ready").statusCode()).isEqualTo(200);

            String lines = "cpu,host=a usage=1 " + T0 + "\ncpu,host=b usage=2 " + T0 + "\n";
            assertThat(post(
                                    http,
                                    base + "/api/v1/write?db=db&precision=ms",
                                    lines.getBytes(StandardCharsets.UTF_8),
                                    false)
                            .statusCode())
                    .isEqualTo(204);
            assertThat(post(http, base + "/write?db=db&precision=ms", gzip(lines), true)
                            .statusCode())
                    .as("InfluxDB alias with a gzip body")
                    .isEqualTo(204);

            // Telegraf-style: a string field among numbers, and a line with only a string (broker.write.string-fields:
            // skip)
            HttpResponse<String> strings = post(
                    http,
                    base + "/write?db=db&precision=ms",
                    ("cpu,host=a usage=3,msg=\"hi, \\\"you\\\"\" " + (T0 + 10_000)
                                    + "\nsystem,host=a uptime_format=\"1 day\" " + T0 + "\n")
                            .getBytes(StandardCharsets.UTF_8),
                    false);
            assertThat(strings.statusCode()).as(strings.body()).isEqualTo(204);
            assertThat(strings.headers().firstValue("X-Meridian-Skipped-String-Fields"))
                    .hasValue("2");
            assertThat(strings.headers().firstValue("X-Meridian-Skipped-Lines")).hasValue("1");
            assertThat(post(http, base + "/write?db=db&precision=ms", lines.getBytes(StandardCharsets.UTF_8), false)
                            .headers()
                            .firstValue("X-Meridian-Skipped-String-Fields"))
                    .as("nothing skipped, no header")
                    .isEmpty();
            HttpResponse<String> unterminated = post(
                    http,
                    base + "/write?db=db&precision=ms",
                    ("cpu,host=a usage=3,msg=\"open " + T0 + "\n").getBytes(StandardCharsets.UTF_8),
                    false);
            assertThat(unterminated.statusCode())
                    .as("a malformed string is still a bad line")
                    .isEqualTo(400);
            assertThat(unterminated.body()).contains("line 1", "unterminated string");

            HttpResponse<String> bad = post(
                    http,
                    base + "/api/v1/write?db=db&precision=ms",
                    ("cpu,host=a usage=1 " + T0 + "\ncpu,host=a usage=x\n").getBytes(StandardCharsets.UTF_8),
                    false);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).startsWith("{\"error\":").contains("line 2");
            HttpResponse<String> unknown =
                    post(http, base + "/api/v1/write?db=nope", lines.getBytes(StandardCharsets.UTF_8), false);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("database=nope");
            assertThat(post(http, base + "/api/v1/write", lines.getBytes(StandardCharsets.UTF_8), false)
                            .body())
                    .contains("missing database");
            HttpResponse<String> precision = post(
                    http, base + "/api/v1/write?db=db&precision=days", lines.getBytes(StandardCharsets.UTF_8), false);
            assertThat(precision.statusCode()).isEqualTo(400);
            assertThat(precision.body()).contains("precision");
            HttpResponse<String> tooLarge = post(http, base + "/api/v1/write?db=db", new byte[100 * 1024], false);
            assertThat(tooLarge.statusCode()).as("over the body bound").isEqualTo(413);
            assertThat(tooLarge.body()).startsWith("{\"error\":").contains("too large");
            assertThat(get(http, base + "/api/v1/nothing").statusCode()).isEqualTo(404);
            assertThat(get(http, base + "/api/v1/write?db=db").statusCode()).isEqualTo(405);
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient http, String url, byte[] body, boolean gzip)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (gzip) {
            b.header("Content-Encoding", "gzip");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
