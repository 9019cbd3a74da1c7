package io.meridian.broker.prom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.broker.node.OneBrokerCluster;
import io.meridian.common.ingest.RemoteWriteBatcher;
import io.meridian.common.rpc.prometheus.Label;
import io.meridian.common.rpc.prometheus.LabelMatcher;
import io.meridian.common.rpc.prometheus.Query;
import io.meridian.common.rpc.prometheus.ReadRequest;
import io.meridian.common.rpc.prometheus.ReadResponse;
import io.meridian.common.rpc.prometheus.Sample;
import io.meridian.common.rpc.prometheus.TimeSeries;
import io.meridian.common.rpc.prometheus.WriteRequest;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Prometheus's own remote write and remote read against a real broker: Debian's {@code prometheus} scrapes itself
 * and remote-writes to Meridian; every sample it holds is in Meridian at its slot; a second Prometheus with only
 * {@code remote_read} pointing at Meridian answers PromQL like the first. Then the bad input of the remote
 * protocols, sent by hand: each is a 400 naming what is wrong, and nothing of that request is written.
 */
@ExtendWith(EtcdExtension.class)
class PrometheusIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void prometheusWritesAndASecondPrometheusReadsTheSameAnswers(EtcdProcess etcd) throws Exception {
        Assumptions.assumeTrue(
                PrometheusProcess.isInstalled(),
                "Debian's prometheus package is not installed (bin/meridian test installs it)");
        try (OneBrokerCluster c = new OneBrokerCluster(etcd, dir, "/prom-it", "")) {
            c.createDatabase("prom", 2, "1s", "1d");
            try (PrometheusProcess scraper =
                            new PrometheusProcess(dir.resolve("scraper"), """
                    global: {scrape_interval: 2s, evaluation_interval: 2s}
                    scrape_configs:
                      - job_name: self
                        static_configs: [{targets: ['127.0.0.1:%PORT%']}]
                    remote_write:
                      - url: BROKER/api/v1/prom/write?db=prom
                        queue_config: {batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s}
                    """.replace("BROKER", c.url()));
                    PrometheusProcess reader =
                            new PrometheusProcess(dir.resolve("reader"), """
                    global: {scrape_interval: 1m}
                    remote_read:
                      - url: BROKER/prometheus/api/v1/read?db=prom
                        read_recent: true
                    """.replace("BROKER", c.url()))) {
                // a dozen scrapes, remote-written
                await().atMost(WAIT)
                        .ignoreExceptions()
                        .untilAsserted(() -> assertThat(meridianSamples(c, "scrape_samples_scraped"))
                                .hasSizeGreaterThanOrEqualTo(12));
                long at = System.currentTimeMillis() - 4_000;
                JsonNode raw = scraper.query("scrape_samples_scraped{job=\"self\"}[40s]", at)
                        .get(0)
                        .path("values");
                assertThat(raw.size()).as("samples Prometheus holds").isGreaterThanOrEqualTo(8);
                long newest = (long) (raw.get(raw.size() - 1).get(0).asDouble() * 1000);
                await().atMost(WAIT)
                        .until(() ->
                                meridianSamples(c, "scrape_samples_scraped").containsKey(newest / 1000 * 1000));
                Map<Long, Double> stored = meridianSamples(c, "scrape_samples_scraped");
                for (JsonNode s : raw) {
                    long ts = Math.round(s.get(0).asDouble() * 1000);
                    assertThat(stored.get(ts / 1000 * 1000))
                            .as("Meridian's sample in the slot of " + ts)
                            .isEqualTo(Double.parseDouble(s.get(1).asText()));
                }

                // PromQL over remote read, at an instant just before a second edge, so that the latest sample at
                // or before it is the same whether its time is exact (scraper) or its slot's start (Meridian)
                long t = newest / 1000 * 1000 - 1;
                for (String promql : List.of(
                        "sum by (job) (scrape_samples_scraped)",
                        "max_over_time(scrape_duration_seconds{job=\"self\"}[20s])",
                        "count by (job) (up)")) {
                    assertThat(values(reader.query(promql, t)))
                            .as(promql)
                            .isEqualTo(values(scraper.query(promql, t)))
                            .isNotEmpty();
                }
                // rate() extrapolates to the window's edges from the first and last sample times; Meridian's are
                // slot starts (up to 1 s earlier), so the two agree closely rather than to the last bit
                String rate = "sum(rate(prometheus_tsdb_head_samples_appended_total{job=\"self\"}[20s]))";
                double expected =
                        values(scraper.query(rate, t)).values().iterator().next();
                double actual =
                        values(reader.query(rate, t)).values().iterator().next();
                assertThat(expected).as("samples appended per second").isPositive();
                assertThat(actual).isCloseTo(expected, within(expected * 0.1));
                assertThat(scraper.log()).as("remote write raised no error").doesNotContain("level=error");
            }
        }
    }

    @Test
    void badRemoteWritesAre400sThatNameTheSeriesAndWriteNothing(EtcdProcess etcd) throws Exception {
        try (OneBrokerCluster c = new OneBrokerCluster(etcd, dir, "/prom-bad-it", "")) {
            c.createDatabase("prom", 2, "1s", "1d");
            long now = System.currentTimeMillis();
            TimeSeries good = series("ok_metric", Map.of("host", "a"), now, 1.0);
            assertThat(write(
                                    c,
                                    "prom",
                                    WriteRequest.newBuilder()
                                            .addTimeseries(good)
                                            .build())
                            .statusCode())
                    .isEqualTo(204);

            assertBad(write(c, "prom", Snappy.compress(new byte[] {1, 2, 3, 4, 5, 6, 7})), "invalid remote-write body");
            assertBad(write(c, "prom", "not snappy at all".getBytes()), "corrupt snappy body");
            assertBad(
                    write(
                            c,
                            "prom",
                            WriteRequest.newBuilder()
                                    .addTimeseries(good)
                                    .addTimeseries(series("bad_metric", Map.of("value", "x"), now, 2.0))
                                    .build()),
                    "invalid label name",
                    "bad_metric",
                    "label=value");
            assertBad(
                    write(
                            c,
                            "prom",
                            WriteRequest.newBuilder()
                                    .addTimeseries(good)
                                    .addTimeseries(series(
                                            "bad_metric",
                                            Map.of("host", "a"),
                                            now - Duration.ofDays(3).toMillis(),
                                            2.0))
                                    .build()),
                    "sample outside the write window",
                    "bad_metric");
            assertBad(
                    write(
                            c,
                            "prom",
                            WriteRequest.newBuilder()
                                    .addTimeseries(TimeSeries.newBuilder()
                                            .addLabels(Label.newBuilder()
                                                    .setName("job")
                                                    .setValue("x"))
                                            .addSamples(Sample.newBuilder()
                                                    .setTimestamp(now)
                                                    .setValue(1)))
                                    .build()),
                    "without a metric name");
            assertBad(
                    write(
                            c,
                            "nope",
                            WriteRequest.newBuilder().addTimeseries(good).build()),
                    "database=nope");
            HttpResponse<String> noDb = c.post("/api/v1/prom/write", "", "application/x-protobuf");
            assertThat(noDb.statusCode()).isEqualTo(400);
            assertThat(noDb.body()).contains("missing database [parameter=db");
            assertThat(c.post("/api/v1/sql?db=prom", "SELECT COUNT(*) FROM bad_metric", "text/plain")
                            .body())
                    .as("nothing of a refused request was written")
                    .contains("not found");

            // stale markers and NaN are not stored (and counted), the request's other samples are
            TimeSeries stale = series(
                    "ok_metric", Map.of("host", "b"), now, Double.longBitsToDouble(RemoteWriteBatcher.STALE_NAN_BITS));
            assertThat(write(
                                    c,
                                    "prom",
                                    WriteRequest.newBuilder()
                                            .addTimeseries(stale)
                                            .addTimeseries(series("ok_metric", Map.of("host", "c"), now, Double.NaN))
                                            .addTimeseries(series("ok_metric", Map.of("host", "d"), now, 4.0))
                                            .build())
                            .statusCode())
                    .isEqualTo(204);
            assertThat(c.sql("prom", "SELECT host, MAX(\"value\") FROM ok_metric GROUP BY host ORDER BY host"))
                    .contains("[[\"a\",1.0],[\"d\",4.0]]");
            assertThat(c.get("/metrics").body())
                    .contains(
                            "meridian_broker_write_skipped_total{what=\"stale_marker\"} 1.0",
                            "meridian_broker_write_skipped_total{what=\"nan_sample\"} 1.0");

            // remote read by hand: matchers pushed, labels sorted, a regex fully anchored
            ReadResponse read = read(
                    c,
                    ReadRequest.newBuilder()
                            .addQueries(Query.newBuilder()
                                    .setStartTimestampMs(now - 60_000)
                                    .setEndTimestampMs(now + 1_000)
                                    .addMatchers(matcher(LabelMatcher.Type.EQ, "__name__", "ok_metric"))
                                    .addMatchers(matcher(LabelMatcher.Type.RE, "host", "a|d")))
                            .build());
            assertThat(read.getResults(0).getTimeseriesList()).hasSize(2).allSatisfy(s -> {
                assertThat(s.getLabelsList()).extracting(Label::getName).containsExactly("__name__", "host");
                assertThat(s.getSamplesList()).hasSize(1);
            });
            assertThat(read(
                                    c,
                                    ReadRequest.newBuilder()
                                            .addQueries(Query.newBuilder()
                                                    .setStartTimestampMs(now - 60_000)
                                                    .setEndTimestampMs(now + 1_000)
                                                    .addMatchers(matcher(LabelMatcher.Type.RE, "host", "a."))
                                                    .addMatchers(
                                                            matcher(LabelMatcher.Type.EQ, "__name__", "ok_metric")))
                                            .build())
                            .getResults(0)
                            .getTimeseriesCount())
                    .as("'a.' is anchored: it does not match 'a'")
                    .isZero();
            assertBad(c.post("/prometheus/api/v1/read?db=prom", "garbage", "application/x-protobuf"), "corrupt snappy");
        }
    }

    private static void assertBad(HttpResponse<String> r, String... parts) {
        assertThat(r.statusCode()).as(r.body()).isIn(400, 404);
        assertThat(r.body()).contains(parts);
    }

    private static TimeSeries series(String name, Map<String, String> labels, long ts, double v) {
        TimeSeries.Builder b = TimeSeries.newBuilder()
                .addLabels(Label.newBuilder().setName("__name__").setValue(name));
        labels.forEach((k, x) -> b.addLabels(Label.newBuilder().setName(k).setValue(x)));
        return b.addSamples(Sample.newBuilder().setTimestamp(ts).setValue(v)).build();
    }

    private static LabelMatcher matcher(LabelMatcher.Type type, String name, String value) {
        return LabelMatcher.newBuilder()
                .setType(type)
                .setName(name)
                .setValue(value)
                .build();
    }

    private static HttpResponse<String> write(OneBrokerCluster c, String db, WriteRequest request) throws Exception {
        return write(c, db, Snappy.compress(request.toByteArray()));
    }

    private static HttpResponse<String> write(OneBrokerCluster c, String db, byte[] body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(c.url() + "/api/v1/prom/write?db=" + db))
                                .header("Content-Encoding", "snappy")
                                .header("Content-Type", "application/x-protobuf")
                                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static ReadResponse read(OneBrokerCluster c, ReadRequest request) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(c.url() + "/prometheus/api/v1/read?db=prom"))
                                .header("Content-Encoding", "snappy")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(request.toByteArray())))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
        assertThat(r.headers().firstValue("Content-Encoding")).hasValue("snappy");
        return ReadResponse.parseFrom(Snappy.uncompress(r.body()));
    }

    /** The metric's samples of job "self" in Meridian, slot start to value. */
    private static Map<Long, Double> meridianSamples(OneBrokerCluster c, String metric) throws Exception {
        JsonNode rows = JSON.readTree(c.sql("prom", "SELECT ts, \"value\" FROM " + metric + " WHERE job = 'self'"))
                .path("rows");
        Map<Long, Double> out = new HashMap<>();
        rows.forEach(r -> out.put(
                Instant.parse(r.get(0).asText()).toEpochMilli(), r.get(1).asDouble()));
        return out;
    }

    /** A PromQL vector as labels to value. */
    private static Map<String, Double> values(JsonNode result) {
        Map<String, Double> out = new HashMap<>();
        result.forEach(r -> out.put(
                r.path("metric").toString(),
                Double.parseDouble(r.path("value").get(1).asText())));
        return out;
    }
}
