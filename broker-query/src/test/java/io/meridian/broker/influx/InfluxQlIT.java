package io.meridian.broker.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.broker.node.OneBrokerCluster;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.BatchPoints;
import org.influxdb.dto.Point;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * InfluxDB 1.x's query API against a real broker, with the clients users run: influxdb-java writes Telegraf-like
 * points (a string field in every one) and queries back; Debian's {@code influx} CLI runs SHOW and a {@code GROUP BY
 * time(1m), host fill(null)} as its own process; the requests Grafana's InfluxDB data source sends are replayed as
 * recorded (src/test/resources/grafana). Every answer is checked against the same question asked in SQL.
 */
@ExtendWith(EtcdExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InfluxQlIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] HOSTS = {"h0", "h1", "h2", "h3"};
    /** The data: two whole hours ending at the last whole hour, every 10 s. */
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 2) * 3_600_000L;

    private static final long FROM = T0;
    private static final long TO = T0 + 3_600_000L - 1;

    private OneBrokerCluster cluster;

    @BeforeAll
    void writeWithAnInfluxDbClient(EtcdProcess etcd, @TempDir Path dir) {
        cluster = new OneBrokerCluster(etcd, dir, "/influxql-it", "");
        cluster.createDatabase("tel", 2, "10s", "30d");
        InfluxDB client = InfluxDBFactory.connect(cluster.url());
        try {
            assertThat(client.ping().isGood())
                    .as("/ping as the client checks it")
                    .isTrue();
            BatchPoints batch = BatchPoints.database("tel").build();
            for (int h = 0; h < HOSTS.length; h++) {
                for (int i = 0; i < 720; i++) {
                    batch.point(Point.measurement("cpu")
                            .time(T0 + i * 10_000L, TimeUnit.MILLISECONDS)
                            .tag("host", HOSTS[h])
                            .tag("region", h < 2 ? "eu" : "us")
                            .addField("usage_user", (h * 100 + i) % 97 + 0.5)
                            .addField("usage_system", i % 13)
                            .addField("msg", "telegraf says hi")
                            .build());
                }
            }
            client.write(batch); // the string field is skipped, the numbers are written
        } finally {
            client.close();
        }
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anInfluxDbJavaClientQueriesWhatItWrote() {
        InfluxDB client = InfluxDBFactory.connect(cluster.url());
        try {
            // what Telegraf and this client send before writing: a no-op for a database that exists
            client.query(new Query("CREATE DATABASE \"tel\""));
            QueryResult created = client.query(new Query("CREATE DATABASE \"not_yet\""));
            assertThat(created.getResults().get(0).getError())
                    .startsWith("not supported: CREATE DATABASE of a new database [database=not_yet]");
            QueryResult r = client.query(new Query(
                    "SELECT max(usage_user), count(usage_system) FROM cpu" + " WHERE time >= " + FROM
                            + "ms AND time <= " + TO + "ms GROUP BY host",
                    "tel"));
            assertThat(r.getError()).isNull();
            List<QueryResult.Series> series = r.getResults().get(0).getSeries();
            assertThat(series).extracting(s -> s.getTags().get("host")).containsExactly(HOSTS);
            JsonNode sql = sqlRows("SELECT host, MAX(usage_user), COUNT(usage_system) FROM cpu WHERE ts >= " + ts(FROM)
                    + " AND ts <= " + ts(TO) + " GROUP BY host ORDER BY host");
            for (int h = 0; h < HOSTS.length; h++) {
                List<Object> row = series.get(h).getValues().get(0);
                assertThat(series.get(h).getColumns()).containsExactly("time", "max", "count");
                assertThat((Double) row.get(1)).isEqualTo(sql.get(h).get(1).asDouble());
                assertThat(((Number) row.get(2)).longValue())
                        .isEqualTo(360L)
                        .isEqualTo(sql.get(h).get(2).asLong());
            }
            QueryResult fields = client.query(new Query("SHOW FIELD KEYS FROM cpu", "tel"));
            assertThat(fields.getResults().get(0).getSeries().get(0).getValues())
                    .as("the string field msg was skipped, not stored")
                    .extracting(v -> v.get(0))
                    .containsExactlyInAnyOrder("usage_user", "usage_system");
        } finally {
            client.close();
        }
    }

    @Test
    void theInfluxCliShowsAndSelectsLikeSql() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/influx")),
                "Debian's influxdb-client package is not installed (bin/meridian test installs it)");
        assertThat(influx("SHOW DATABASES").path("results").get(0).toString()).contains("\"tel\"");
        assertThat(values(
                        influx("SHOW TAG VALUES FROM cpu WITH KEY = \"host\"")
                                .path("results")
                                .get(0)
                                .path("series")
                                .get(0),
                        1))
                .containsExactly(HOSTS);

        JsonNode select = influx("SELECT mean(usage_user) FROM cpu WHERE time >= " + FROM + "ms AND time <= " + TO
                        + "ms GROUP BY time(1m), host fill(null)")
                .path("results")
                .get(0)
                .path("series");
        assertThat(select.size()).isEqualTo(HOSTS.length);
        Map<String, Double> expected = new TreeMap<>();
        sqlRows("SELECT host, time_bucket(INTERVAL '1' MINUTE, ts) AS m, AVG(usage_user) FROM cpu WHERE ts >= "
                        + ts(FROM) + " AND ts <= " + ts(TO) + " GROUP BY host, time_bucket(INTERVAL '1' MINUTE, ts)")
                .forEach(r -> expected.put(
                        r.get(0).asText() + "@"
                                + Instant.parse(r.get(1).asText()).toEpochMilli(),
                        r.get(2).asDouble()));
        Map<String, Double> actual = new TreeMap<>();
        for (JsonNode s : select) {
            assertThat(s.path("columns").toString()).isEqualTo("[\"time\",\"mean\"]");
            for (JsonNode v : s.path("values")) {
                actual.put(
                        s.path("tags").path("host").asText() + "@"
                                + Instant.parse(v.get(0).asText()).toEpochMilli(),
                        v.get(1).asDouble());
            }
        }
        assertThat(actual).hasSize(HOSTS.length * 60).isEqualTo(expected);

        // a lone max is a selector: the time of its point, the earliest of the equal maxima (96.5 every 97 points)
        int h = 1;
        long earliestMax = T0 + Math.floorMod(96 - h * 100, 97) * 10_000L;
        JsonNode max = influx("SELECT max(usage_user) FROM cpu WHERE host = '" + HOSTS[h] + "' AND time >= " + FROM
                        + "ms AND time <= " + TO + "ms")
                .path("results")
                .get(0)
                .path("series")
                .get(0)
                .path("values")
                .get(0);
        assertThat(Instant.parse(max.get(0).asText()).toEpochMilli()).isEqualTo(earliestMax);
        assertThat(max.get(1).asDouble()).isEqualTo(96.5);
        JsonNode sql = sqlRows("SELECT MAX(usage_user), MAX_TIME(usage_user) FROM cpu WHERE host = '" + HOSTS[h]
                        + "' AND ts >= " + ts(FROM) + " AND ts <= " + ts(TO))
                .get(0);
        assertThat(Instant.parse(sql.get(1).asText()).toEpochMilli()).isEqualTo(earliestMax);

        // with a tag beside it, the tag of that point: of all hosts' maxima (96.5 each), h3's comes first
        JsonNode withHost = influx(
                        "SELECT max(usage_user), host FROM cpu WHERE time >= " + FROM + "ms AND time <= " + TO + "ms")
                .path("results")
                .get(0)
                .path("series")
                .get(0);
        assertThat(withHost.path("columns").toString()).isEqualTo("[\"time\",\"max\",\"host\"]");
        assertThat(Instant.parse(withHost.path("values").get(0).get(0).asText()).toEpochMilli())
                .isEqualTo(T0 + Math.floorMod(96 - 3 * 100, 97) * 10_000L);
        assertThat(withHost.path("values").get(0).get(2).asText()).isEqualTo("h3");
    }

    @Test
    void grafanasRequestsAnswerWhatSqlAnswers() throws Exception {
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        HttpClient http = HttpClient.newHttpClient();
        for (String line : Files.readAllLines(Path.of("src/test/resources/grafana/influxql-requests.txt"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(" \\| ");
            String[] request = parts[1].replace("${FROM}", Long.toString(FROM))
                    .replace("${TO}", Long.toString(TO))
                    .split(" ", 2);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.url() + request[1]));
            if (request[0].equals("POST")) {
                b.header("Content-type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                parts[2].replace("${FROM}", Long.toString(FROM)).replace("${TO}", Long.toString(TO))));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(parts[0] + ": " + r.body()).isEqualTo(200);
            JsonNode result = JSON.readTree(r.body()).path("results").get(0);
            assertThat(result.has("error")).as(parts[0] + ": " + r.body()).isFalse();
            answers.put(parts[0], result);
        }

        // the panel: mean of h1 per minute, epoch=ms
        JsonNode panel = answers.get("panel-get").path("series");
        assertThat(panel.size()).isOne();
        assertThat(panel.get(0).path("tags").toString()).isEqualTo("{\"host\":\"h1\"}");
        assertThat(timeValues(panel.get(0)))
                .isEqualTo(sqlTimeValues("SELECT time_bucket(INTERVAL '1' MINUTE, ts),"
                        + " AVG(usage_user) FROM cpu WHERE host = 'h1' AND ts >= " + ts(FROM) + " AND ts <= " + ts(TO)
                        + " GROUP BY 1"));
        JsonNode byRegion = answers.get("panel-post").path("series");
        assertThat(byRegion.size()).isEqualTo(2);
        assertThat(timeValues(byRegion.get(0)))
                .isEqualTo(sqlTimeValues("SELECT time_bucket(INTERVAL '5' MINUTE, ts),"
                        + " MAX(usage_user) FROM cpu WHERE region = 'eu' AND ts >= " + ts(FROM) + " AND ts <= " + ts(TO)
                        + " GROUP BY 1"));
        JsonNode regex = answers.get("panel-regex").path("series").get(0);
        Map<Long, Double> expected = sqlTimeValues("SELECT time_bucket(INTERVAL '10' MINUTE, ts), AVG(usage_user)"
                + " FROM cpu WHERE host IN ('h0', 'h1') AND ts >= " + ts(FROM) + " AND ts <= " + ts(TO)
                + " GROUP BY 1");
        Map<Long, Double> actual = timeValues(regex);
        assertThat(actual.keySet()).isEqualTo(expected.keySet()).hasSize(6);
        expected.forEach((t, v) -> assertThat(actual.get(t)).isCloseTo(v, within(1e-9)));

        assertThat(values(answers.get("measurements").path("series").get(0), 0)).containsExactly("cpu");
        assertThat(values(answers.get("tag-keys").path("series").get(0), 0)).containsExactly("host", "region");
        assertThat(answers.get("field-keys")
                        .path("series")
                        .get(0)
                        .path("values")
                        .toString())
                .contains("[\"usage_user\",\"float\"]", "[\"usage_system\",\"float\"]")
                .doesNotContain("msg");
        assertThat(values(answers.get("template-variable").path("series").get(0), 1))
                .containsExactly("h0", "h1");
        assertThat(values(answers.get("adhoc-keys").path("series").get(0), 0)).containsExactly("host", "region");
        assertThat(values(answers.get("adhoc-values").path("series").get(0), 1)).containsExactly(HOSTS);
        assertThat(values(answers.get("retention-policies").path("series").get(0), 0))
                .containsExactly("autogen");
    }

    @Test
    void badInfluxQlAnswersAsInfluxDbDoes() throws Exception {
        HttpResponse<String> parse = get("/query?db=tel&q=" + enc("SELEC mean(x) FROM cpu"));
        assertThat(parse.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(parse.body()).path("error").asText()).startsWith("error parsing query: ");
        HttpResponse<String> missing = get("/query?db=tel");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("missing required parameter \\\"q\\\"");
        JsonNode into = JSON.readTree(get("/query?db=tel&q=" + enc("SELECT mean(usage_user) INTO cpu_1m FROM cpu"))
                        .body())
                .path("results")
                .get(0);
        assertThat(into.path("error").asText()).startsWith("not supported: ").containsIgnoringCase("INTO");
        JsonNode two = JSON.readTree(get("/query?q=" + enc("SHOW DATABASES; SELECT mean(usage_user) FROM cpu"))
                        .body())
                .path("results");
        assertThat(two.get(0).path("series").toString()).contains("tel");
        assertThat(two.get(1).path("error").asText()).isEqualTo("database name required");
        JsonNode unknown = JSON.readTree(get("/query?db=tel&q=" + enc("SELECT mean(x) FROM nothing_here"))
                        .body())
                .path("results")
                .get(0);
        assertThat(unknown.toString())
                .as("an unknown measurement is an empty result")
                .isEqualTo("{\"statement_id\":0}");
    }

    /** The influx CLI as its own process, JSON output, times as RFC3339. */
    private JsonNode influx(String statement) throws Exception {
        URI url = URI.create(cluster.url());
        Process p = new ProcessBuilder(
                        "/usr/bin/influx",
                        "-host",
                        url.getHost(),
                        "-port",
                        Integer.toString(url.getPort()),
                        "-database",
                        "tel",
                        "-format",
                        "json",
                        "-precision",
                        "rfc3339",
                        "-execute",
                        statement)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return JSON.readTree(out);
    }

    private HttpResponse<String> get(String pathAndQuery) {
        return cluster.get(pathAndQuery);
    }

    private JsonNode sqlRows(String sql) {
        try {
            return JSON.readTree(cluster.sql("tel", sql)).path("rows");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Map<Long, Double> sqlTimeValues(String sql) {
        Map<Long, Double> out = new TreeMap<>();
        sqlRows(sql)
                .forEach(r -> out.put(
                        Instant.parse(r.get(0).asText()).toEpochMilli(),
                        r.get(1).asDouble()));
        return out;
    }

    /** A series' {@code [time(ms), value]} rows; a null value (fill(null)) is left out. */
    private static Map<Long, Double> timeValues(JsonNode series) {
        Map<Long, Double> out = new TreeMap<>();
        series.path("values").forEach(v -> {
            if (!v.get(1).isNull()) {
                out.put(v.get(0).asLong(), v.get(1).asDouble());
            }
        });
        return out;
    }

    private static List<String> values(JsonNode series, int column) {
        List<String> out = new ArrayList<>();
        series.path("values").forEach(v -> out.add(v.get(column).asText()));
        return out;
    }

    private static String ts(long ms) {
        return "TIMESTAMP '"
                + Instant.ofEpochMilli(ms).toString().replace('T', ' ').replace("Z", "") + "'";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
