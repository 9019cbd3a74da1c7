package io.meridian.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.common.model.AggState;
import io.meridian.it.harness.BrokerProcess;
import io.meridian.it.harness.ClusterExtension;
import io.meridian.it.harness.MeridianCluster;
import io.meridian.it.harness.NodeSettings;
import io.meridian.meta.model.ShardState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cross-IDC federation with real processes on 127.0.0.1: two IDCs, each with its own storage cluster (two
 * nodes) and broker, and a third broker in an IDC without storage as the root. Data is written in each IDC
 * through its own broker; aggregates through the root equal those computed directly from the generated raw
 * points, for every aggregate, grouped by a tag and time buckets. With one IDC's broker stopped, the query
 * fails naming the IDC, or answers from the other IDC and lists it as missing when partial results are allowed.
 * Bad input through the root fails with its status.
 */
@ExtendWith(ClusterExtension.class)
class FederatedQueryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MINUTE = 60_000;
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;
    private static final long END = T0 + 20 * MINUTE;
    private static final String[] FUNCTIONS = {"sum", "avg", "min", "max", "count", "first", "last"};

    /** One raw point: host, time, value. */
    private record Point(String host, long ts, double value) {}

    @Test
    void rootAggregatesBothIdcsAndNamesAMissingOne(MeridianCluster cluster) throws Exception {
        cluster.startEtcd();
        for (String[] n :
                new String[][] {{"s1", "idc1", "c1"}, {"s2", "idc1", "c1"}, {"s3", "idc2", "c2"}, {"s4", "idc2", "c2"}
                }) {
            cluster.startStorageNode(new NodeSettings(n[0], n[1], n[2], NodeSettings.DEFAULT_JVM, Map.of()));
        }
        BrokerProcess b1 = cluster.startBroker("b1", "idc1");
        BrokerProcess b2 = cluster.startBroker("b2", "idc2");
        BrokerProcess root = cluster.startBroker("root", "idc0");
        cluster.awaitRegistered("s1", "s2", "s3", "s4", "b1", "b2", "root");
        cluster.await()
                .alias("a master among the brokers")
                .until(() -> cluster.truth().master() != null);

        for (String[] c : new String[][] {{"c1", "idc1"}, {"c2", "idc2"}}) {
            BrokerProcess.Answer a = root.postRetrying(
                    "/api/v1/clusters",
                    "{\"name\":\"" + c[0] + "\",\"idc\":\"" + c[1] + "\"}",
                    MeridianCluster.DEFAULT_WAIT);
            assertThat(a.status()).as(a.body()).isIn(201, 409); // 409: the master already rebuilt it from reports
        }
        BrokerProcess.Answer created = root.createDatabase("""
                {"name":"db","shards":2,"replicas":2,"intervals":[{"interval":"10s","retention":"30d"}],
                 "clusters":["c1","c2"]}""", MeridianCluster.DEFAULT_WAIT);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        cluster.await().alias("a leader for every shard in both clusters").until(() -> {
            List<ShardState> states = cluster.truth().states().values().stream()
                    .filter(s -> s.db().equals("db"))
                    .toList();
            return states.size() == 4 && states.stream().allMatch(s -> s.leader() != null);
        });

        // the same hosts in both IDCs with different values: groups merge across IDCs
        Random random = new Random(11);
        List<Point> idc1 = new ArrayList<>();
        List<Point> idc2 = new ArrayList<>();
        for (List<Point> points : List.of(idc1, idc2)) {
            for (int h = 0; h < 4; h++) {
                for (long t = T0; t < END; t += 10_000) {
                    points.add(new Point("h" + h, t, random.nextInt(1000)));
                }
            }
        }
        write(cluster, b1, idc1);
        write(cluster, b2, idc2);

        String query = """
                {"db":"db","metric":"cpu","start":%d,"end":%d,"bucket":"5m","groupBy":["host"],
                 "select":[{"fn":"sum","field":"usage"},{"fn":"avg","field":"usage"},{"fn":"min","field":"usage"},
                           {"fn":"max","field":"usage"},{"fn":"count","field":"usage"},{"fn":"first","field":"usage"},
                           {"fn":"last","field":"usage"}]%s}""";
        List<Point> both = new ArrayList<>(idc1);
        both.addAll(idc2);
        JsonNode answer = ok(root.post("/api/v1/query", query.formatted(T0, END, "")));
        assertThat(rows(answer)).isEqualTo(expected(both, 5 * MINUTE)).hasSize(4 * 4);
        assertThat(answer.get("partial").asBoolean()).isFalse();
        // an IDC broker as the root answers the same (its own IDC locally, the other through its broker)
        assertThat(rows(ok(b1.post("/api/v1/query", query.formatted(T0, END, "")))))
                .isEqualTo(expected(both, 5 * MINUTE));

        // SQL through the root plans into the same distributed query
        String sql =
                "{\"db\":\"db\",\"sql\":\"SELECT host, SUM(usage) AS s, COUNT(usage) AS n FROM cpu WHERE ts >= TIMESTAMP '"
                        + sqlTime(T0) + "' AND ts < TIMESTAMP '" + sqlTime(END) + "' GROUP BY host ORDER BY host\"}";
        JsonNode sqlAnswer = ok(root.post("/api/v1/sql", sql));
        Map<String, double[]> byHost = new TreeMap<>();
        both.forEach(p -> {
            double[] t = byHost.computeIfAbsent(p.host(), h -> new double[2]);
            t[0] += p.value();
            t[1]++;
        });
        List<List<String>> expectedSql = new ArrayList<>();
        byHost.forEach((h, t) -> expectedSql.add(List.of(h, Double.toString(t[0]), Double.toString(t[1]))));
        assertThat(rows(sqlAnswer)).isEqualTo(expectedSql);
        BrokerProcess.Answer badSql = root.post("/api/v1/sql", "{\"db\":\"db\",\"sql\":\"SELECT nosuch FROM cpu\"}");
        assertThat(badSql.status()).isEqualTo(400);
        assertThat(badSql.body()).contains("line=1, column=8", "nosuch");

        // bad input through the root
        BrokerProcess.Answer badLine = root.post(
                "/api/v1/write?db=db&precision=ms", "cpu,host=h0 usage=1 " + T0 + "\ncpu,host=h0 usage= " + T0 + "\n");
        assertThat(badLine.status()).isEqualTo(400);
        assertThat(badLine.body()).contains("line 2");
        assertThat(root.post("/api/v1/write?db=nodb", "cpu,host=h0 usage=1").status())
                .isEqualTo(404);
        BrokerProcess.Answer tooMany = root.post("/api/v1/query", query.formatted(T0, END, ",\"maxGroups\":2"));
        assertThat(tooMany.status()).as(tooMany.body()).isEqualTo(429);
        assertThat(tooMany.body()).contains("too many groups");
        BrokerProcess.Answer timeout = root.post("/api/v1/query", query.formatted(T0, END, ",\"timeout\":\"1ms\""));
        assertThat(timeout.status()).as(timeout.body()).isEqualTo(504);
        assertThat(timeout.body()).contains("timed out");

        // idc2's broker goes away
        b2.stop();
        cluster.awaitGone("b2");
        BrokerProcess.Answer failed = root.post("/api/v1/query", query.formatted(T0, END, ""));
        assertThat(failed.status()).as(failed.body()).isEqualTo(503);
        assertThat(failed.body()).contains("idc=idc2");
        JsonNode partial = ok(root.post("/api/v1/query", query.formatted(T0, END, ",\"allowPartial\":true")));
        assertThat(partial.get("partial").asBoolean()).isTrue();
        assertThat(partial.get("missingIdcs").get(0).asText()).isEqualTo("idc2");
        assertThat(rows(partial)).isEqualTo(expected(idc1, 5 * MINUTE));
    }

    private static String sqlTime(long ms) {
        return Instant.ofEpochMilli(ms).toString().replace('T', ' ').replace("Z", "");
    }

    private static void write(MeridianCluster cluster, BrokerProcess broker, List<Point> points) {
        StringBuilder body = new StringBuilder();
        for (Point p : points) {
            body.append("cpu,host=")
                    .append(p.host())
                    .append(" usage=")
                    .append(p.value())
                    .append(' ')
                    .append(p.ts())
                    .append('\n');
        }
        // the broker's metadata cache may not know the database's leaders yet: retriable answers are 503
        cluster.await().alias("write through " + broker.id()).until(() -> {
            BrokerProcess.Answer a = broker.post("/api/v1/write?db=db&precision=ms", body.toString());
            if (a.status() != 204 && a.status() != 503 && a.status() != 404) {
                throw new AssertionError("write failed: " + a);
            }
            return a.status() == 204;
        });
    }

    private static JsonNode ok(BrokerProcess.Answer a) throws Exception {
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return JSON.readTree(a.body());
    }

    /** Rows as strings, numbers as doubles: exact comparison without caring how JSON spelled a number. */
    private static List<List<String>> rows(JsonNode answer) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode row : answer.get("rows")) {
            List<String> r = new ArrayList<>();
            row.forEach(v -> r.add(v.isNumber() ? Double.toString(v.asDouble()) : v.asText()));
            out.add(r);
        }
        return out;
    }

    private static List<List<String>> expected(List<Point> points, long bucket) {
        Map<String, AggState> cells = new TreeMap<>(); // host + bucket start, sorted as the answer is
        for (Point p : points) {
            long b = T0 + (p.ts() - T0) / bucket * bucket;
            cells.computeIfAbsent(p.host() + "|" + String.format("%015d", b), k -> AggState.empty())
                    .add(p.ts(), p.value());
        }
        List<List<String>> out = new ArrayList<>();
        cells.forEach((key, s) -> {
            String[] k = key.split("\\|");
            List<String> r = new ArrayList<>();
            r.add(Instant.ofEpochMilli(Long.parseLong(k[1])).toString());
            r.add(k[0]);
            for (String f : FUNCTIONS) {
                r.add(Double.toString(
                        switch (f) {
                            case "sum" -> s.sum();
                            case "avg" -> s.avg();
                            case "min" -> s.min();
                            case "max" -> s.max();
                            case "count" -> (double) s.count();
                            case "first" -> s.first();
                            default -> s.last();
                        }));
            }
            out.add(r);
        });
        return out;
    }
}
