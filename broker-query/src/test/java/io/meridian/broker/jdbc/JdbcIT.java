package io.meridian.broker.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.broker.node.BrokerNode;
import io.meridian.broker.node.BrokerNodeConfig;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.StorageCluster;
import io.meridian.storage.node.StorageMain;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.node.StorageNodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDBC end to end: {@code jdbc:meridian://host:port/db} (connectors/jdbc) against a real broker and storage node
 * on etcd: metadata (schemas, tables, columns with their types), a prepared statement with parameters, typed
 * values; and sqlline, a JDBC client none of us wrote, run as its own process with a statement.
 */
@ExtendWith(EtcdExtension.class)
class JdbcIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;

    @TempDir
    Path dir;

    @Test
    void jdbcDriverAndSqllineQueryTheCluster(EtcdProcess etcd) throws Exception {
        String root = "/jdbc-it";
        try (StorageNode storage = StorageNode.start(
                        StorageNodeConfig.from(
                                ConfigTree.parse("test", """
                node: {id: s1, idc: idc1, cluster: c1, data-dir: '%s', report-interval: 100ms}
                meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                storage: {server.port: 0, http.port: -1, memtable.size: 4MiB, block-cache.size: 4MiB}
                """.formatted(dir.resolve("s1"), etcd.endpoint(), root))),
                        StorageMain.CONTROLLER);
                BrokerNode broker = BrokerNode.start(
                        BrokerNodeConfig.from(
                                ConfigTree.parse("test", """
                node: {id: b1, idc: idc1, data-dir: '%s'}
                meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                broker: {http.port: 0, grpc.port: 0, http.worker-threads: 8}
                master: {lease-ttl: 2s, poll-interval: 100ms, reconcile-interval: 300ms, rebuild-grace: 1s}
                """.formatted(dir.resolve("b1"), etcd.endpoint(), root))),
                        List.of())) {
            await().atMost(WAIT)
                    .ignoreExceptions()
                    .until(() -> broker.master().isMaster()
                            && broker.cache().snapshot().marker() != null
                            && storage.self() != null);
            try {
                broker.master().createCluster(new StorageCluster("c1", "idc1"));
            } catch (InvalidInputException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
            }
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(WAIT).until(() -> post(http, broker, "/api/v1/databases", """
                    {"name":"metrics","shards":2,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"}]}""") == 201);
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                lines.append("cpu,host=web-")
                        .append(i % 2)
                        .append(",dc=")
                        .append(i % 2 == 0 ? "eu" : "us")
                        .append(" usage=")
                        .append(10 * (i + 1))
                        .append(' ')
                        .append(T0 + i * 60_000L)
                        .append('\n');
            }
            await().atMost(WAIT)
                    .until(() -> post(http, broker, "/api/v1/write?db=metrics&precision=ms", lines.toString()) == 204);

            String url = "jdbc:meridian://127.0.0.1:" + broker.httpPort() + "/metrics";
            try (Connection c = DriverManager.getConnection(url)) {
                DatabaseMetaData md = c.getMetaData();
                assertThat(column(md.getSchemas(), "TABLE_SCHEM")).contains("metrics");
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(column(md.getTables(null, "metrics", "%", null), "TABLE_NAME"))
                                .contains("cpu"));
                Map<String, Integer> types = new HashMap<>();
                try (ResultSet cols = md.getColumns(null, "metrics", "cpu", null)) {
                    while (cols.next()) {
                        types.put(cols.getString("COLUMN_NAME"), cols.getInt("DATA_TYPE"));
                    }
                }
                assertThat(types)
                        .containsEntry("ts", Types.TIMESTAMP)
                        .containsEntry("host", Types.VARCHAR)
                        .containsEntry("dc", Types.VARCHAR)
                        .containsEntry("usage", Types.DOUBLE);

                try (PreparedStatement ps = c.prepareStatement("SELECT host, SUM(usage) AS s, COUNT(usage) AS n, "
                        + "MIN(ts) AS first_ts FROM cpu WHERE dc = ? AND ts >= ? GROUP BY host ORDER BY host")) {
                    ps.setString(1, "eu");
                    ps.setTimestamp(2, new Timestamp(T0));
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.getMetaData().getColumnType(1)).isEqualTo(Types.VARCHAR);
                        assertThat(rs.getMetaData().getColumnType(2)).isEqualTo(Types.DOUBLE);
                        assertThat(rs.getMetaData().getColumnType(3)).isEqualTo(Types.BIGINT);
                        assertThat(rs.getMetaData().getColumnType(4)).isEqualTo(Types.TIMESTAMP);
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).isEqualTo("web-0");
                        assertThat(rs.getDouble(2)).isEqualTo(10 + 30 + 50);
                        assertThat(rs.getLong(3)).isEqualTo(3);
                        assertThat(rs.getTimestamp(4, Calendar.getInstance(TimeZone.getTimeZone("UTC")))
                                        .getTime())
                                .isEqualTo(T0);
                        assertThat(rs.next()).isFalse();
                    }
                    ps.setString(1, "us");
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).isEqualTo("web-1");
                        assertThat(rs.getDouble(2)).isEqualTo(20 + 40 + 60);
                    }
                }
                assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT nosuch FROM cpu"))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("nosuch");
                sameAnswersAsHttp(http, broker, c);
                HttpResponse<String> misspelt = http.send(
                        HttpRequest.newBuilder(URI.create(broker.httpUrl() + "/api/v1/sql"))
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"database\":\"metrics\",\"sql\":\"SELECT COUNT(*) FROM cpu\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(misspelt.statusCode()).as(misspelt.body()).isEqualTo(400);
                assertThat(misspelt.body()).contains("unknown key [$.database]", "[db, sql]", "the database is");
            }

            // sqlline, driven non-interactively in its own JVM
            Process p = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            "sqlline.SqlLine",
                            "-u",
                            url,
                            "-n",
                            "",
                            "-p",
                            "",
                            "--outputformat=csv",
                            "--silent=true",
                            "-e",
                            "SELECT host, COUNT(usage) AS n FROM cpu GROUP BY host ORDER BY host;")
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out)
                    .as(out)
                    .contains("'host','n'")
                    .contains("'web-0','3'")
                    .contains("'web-1','3'");
            assertThat(p.exitValue()).as(out).isZero();
        }
    }

    /**
     * One SQL session for both doors: each statement answers the same rows over JDBC (Avatica) as over
     * {@code POST /api/v1/sql}, and a failing one fails with the same text (JDBC wraps it in Avatica's frame).
     */
    private static void sameAnswersAsHttp(HttpClient http, BrokerNode broker, Connection c) throws Exception {
        List<String> statements = List.of(
                "SELECT host, SUM(usage) FROM cpu GROUP BY host ORDER BY host",
                "SELECT dc, COUNT(usage), MAX(usage) FROM cpu GROUP BY dc ORDER BY dc",
                "SELECT DISTINCT dc FROM cpu ORDER BY dc",
                "SELECT COUNT(*) FROM cpu",
                "SELECT host, LAST(usage), FIRST(usage) FROM cpu GROUP BY host ORDER BY host",
                "SELECT host, COUNT(usage) FROM cpu WHERE usage >= 30 GROUP BY host ORDER BY host",
                "SELECT nosuch FROM cpu",
                "SELECT hots FROM cpu",
                "SELECT MAX(time) FROM cpu",
                "SELECT * FROM cpus");
        ObjectMapper json = new ObjectMapper();
        for (String sql : statements) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(broker.httpUrl() + "/api/v1/sql"))
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    json.writeValueAsString(Map.of("db", "metrics", "sql", sql))))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = json.readTree(r.body());
            if (r.statusCode() == 200) {
                List<String> httpRows = new ArrayList<>();
                body.get("rows").forEach(row -> httpRows.add(row.toString()));
                List<String> jdbcRows = new ArrayList<>();
                try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>();
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            Object v = rs.getObject(i);
                            row.add(v instanceof Number n && !(v instanceof Long) ? n.doubleValue() : v);
                        }
                        jdbcRows.add(json.writeValueAsString(row));
                    }
                }
                assertThat(jdbcRows).as(sql).isEqualTo(httpRows).isNotEmpty();
            } else {
                assertThat(r.statusCode()).as(sql + ": " + r.body()).isEqualTo(400);
                // the API's own prefix ("request failed [method=POST, path=/api/v1/sql]: ") is not the statement's
                String message = body.get("error").asText().replaceFirst("^request failed \\[[^]]*\\]: ", "");
                assertThat(message).as(sql).startsWith("SQL");
                assertThatThrownBy(() -> c.createStatement().executeQuery(sql))
                        .as(sql)
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining(message);
            }
        }
    }

    private static List<String> column(ResultSet rs, String name) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                out.add(rs.getString(name));
            }
        }
        return out;
    }

    private static int post(HttpClient http, BrokerNode broker, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(broker.httpUrl() + path))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }
}
