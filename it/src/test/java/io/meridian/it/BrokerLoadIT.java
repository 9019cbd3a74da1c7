package io.meridian.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.it.harness.BrokerProcess;
import io.meridian.it.harness.ClusterExtension;
import io.meridian.it.harness.MeridianCluster;
import io.meridian.it.harness.StorageNodeProcess;
import io.meridian.meta.model.ShardState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two brokers in front of three storage nodes (real processes on 127.0.0.1): 8 writers and 8 queriers for 60 s,
 * then the data must add up exactly. Also: a query whose client goes away is cancelled on the broker.
 */
@ExtendWith(ClusterExtension.class)
class BrokerLoadIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = (System.currentTimeMillis() / 86_400_000L - 3) * 86_400_000L;
    private static final int HOSTS = 10;
    private static final int SLOTS_PER_BATCH = 6;
    private static final Duration LOAD = Duration.ofSeconds(60);

    private static List<BrokerProcess> startCluster(MeridianCluster cluster) {
        cluster.startEtcd();
        for (String id : List.of("s1", "s2", "s3")) {
            cluster.startStorageNode(id);
        }
        BrokerProcess b1 = cluster.startBroker("b1", MeridianCluster.IDC);
        BrokerProcess b2 = cluster.startBroker("b2", MeridianCluster.IDC);
        cluster.awaitRegistered("s1", "s2", "s3", "b1", "b2");
        cluster.await().until(() -> cluster.truth().master() != null);
        BrokerProcess.Answer c = b1.postRetrying(
                "/api/v1/clusters",
                "{\"name\":\"c1\",\"idc\":\"" + MeridianCluster.IDC + "\"}",
                MeridianCluster.DEFAULT_WAIT);
        assertThat(c.status()).as(c.body()).isIn(201, 409);
        // b2 takes DDL once its metadata cache has seen a storage cluster: its readiness says when
        cluster.await().until(() -> b2.get("/health/ready").status() == 200);
        BrokerProcess.Answer db = b2.createDatabase("""
                {"name":"db","shards":3,"replicas":2,"intervals":[{"interval":"10s","retention":"30d"}]}""", MeridianCluster.DEFAULT_WAIT);
        assertThat(db.status()).as(db.body()).isEqualTo(201);
        cluster.await().until(() -> {
            List<ShardState> s = cluster.truth().states().values().stream()
                    .filter(x -> x.db().equals("db"))
                    .toList();
            return s.size() == 3 && s.stream().allMatch(x -> x.leader() != null);
        });
        // both brokers' caches know the leaders once a write through each succeeds
        for (BrokerProcess b : List.of(b1, b2)) {
            cluster.await()
                    .until(() -> b.post("/api/v1/write?db=db&precision=ms", "warmup v=1 " + T0)
                                    .status()
                            == 204);
        }
        return List.of(b1, b2);
    }

    /** Gauge value of (writer, host, slot): distinct per point, so re-sent points could not add up twice. */
    private static double value(int writer, int host, long slot) {
        return writer * 1_000_000.0 + host * 10_000 + slot % 1000;
    }

    @Test
    void eightWritersAndEightQueriersForAMinuteAddUp(MeridianCluster cluster) throws Exception {
        List<BrokerProcess> brokers = startCluster(cluster);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long stopAt = System.nanoTime() + LOAD.toNanos();
        Map<Integer, double[]> acked = new ConcurrentHashMap<>(); // writer -> {points, sum}
        AtomicLong resent = new AtomicLong();
        AtomicLong queries = new AtomicLong();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> tasks = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int writer = w;
            BrokerProcess broker = brokers.get(w % 2);
            tasks.add(pool.submit(() -> {
                double[] totals = new double[2];
                for (long batch = 0; System.nanoTime() < stopAt; batch++) {
                    StringBuilder body = new StringBuilder();
                    double sum = 0;
                    for (int s = 0; s < SLOTS_PER_BATCH; s++) {
                        long slot = batch * SLOTS_PER_BATCH + s;
                        for (int h = 0; h < HOSTS; h++) {
                            double v = value(writer, h, slot);
                            sum += v;
                            body.append("load,writer=w")
                                    .append(writer)
                                    .append(",host=h")
                                    .append(h)
                                    .append(" v=")
                                    .append(v)
                                    .append(' ')
                                    .append(T0 + slot * 10_000)
                                    .append('\n');
                        }
                    }
                    HttpRequest req = HttpRequest.newBuilder(
                                    URI.create(broker.url() + "/api/v1/write?db=db&precision=ms"))
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                            .build();
                    while (true) {
                        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 204) {
                            break;
                        }
                        if (r.statusCode() != 503) { // documented back-pressure and failover answers are 503
                            errors.add("write " + r.statusCode() + " " + r.body());
                            return null;
                        }
                        resent.incrementAndGet();
                        Thread.sleep(50); // back-pressure: the client backs off
                    }
                    totals[0] += SLOTS_PER_BATCH * HOSTS;
                    totals[1] += sum;
                }
                acked.put(writer, totals);
                return null;
            }));
        }
        for (int q = 0; q < 8; q++) {
            BrokerProcess broker = brokers.get(q % 2);
            Random random = new Random(q);
            tasks.add(pool.submit(() -> {
                while (System.nanoTime() < stopAt) {
                    String where = random.nextBoolean()
                            ? ""
                            : ",\"where\":{\"tag\":\"host\",\"eq\":\"h" + random.nextInt(HOSTS) + "\"}";
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(URI.create(broker.url() + "/api/v1/query"))
                                    .timeout(Duration.ofSeconds(60))
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            """
                                    {"db":"db","metric":"load","start":%d,"end":%d,"bucket":"1h","groupBy":["writer"]%s,
                                     "select":[{"fn":"sum","field":"v"},{"fn":"count","field":"v"},{"fn":"max","field":"v"}]}""".formatted(T0, T0 + 3 * 86_400_000L, where)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200 && r.statusCode() != 503) {
                        errors.add("query " + r.statusCode() + " " + r.body());
                        return null;
                    }
                    queries.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> t : tasks) {
            t.get(LOAD.toSeconds() + 120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(errors).as("errors other than documented back-pressure").isEmpty();
        assertThat(queries.get()).as("queries answered").isGreaterThan(8);
        System.out.printf(
                "load: %d queries, %d resent writes, points per writer %s%n",
                queries.get(),
                resent.get(),
                acked.values().stream().map(t -> (long) t[0]).toList());

        // the data adds up, through either broker
        for (BrokerProcess b : brokers) {
            JsonNode answer = JSON.readTree(b.post("/api/v1/query", """
                    {"db":"db","metric":"load","start":%d,"end":%d,"groupBy":["writer"],
                     "select":[{"fn":"count","field":"v"},{"fn":"sum","field":"v"}]}""".formatted(T0, T0 + 3 * 86_400_000L))
                    .body());
            assertThat(answer.get("rows")).as(answer.toString()).hasSize(8);
            for (JsonNode row : answer.get("rows")) {
                int writer = Integer.parseInt(row.get(0).asText().substring(1));
                double[] expected = acked.get(writer);
                if (resent.get() == 0) {
                    assertThat(row.get(1).asLong())
                            .as("points of writer " + writer)
                            .isEqualTo((long) expected[0]);
                    assertThat(row.get(2).asDouble())
                            .as("sum of writer " + writer)
                            .isEqualTo(expected[1]);
                } else { // a re-sent write may have reached some shards twice before; it can only add
                    assertThat(row.get(1).asLong())
                            .as("points of writer " + writer)
                            .isGreaterThanOrEqualTo((long) expected[0]);
                }
            }
        }
    }

    @Test
    void aQueryIsCancelledWhenItsClientGoesAway(MeridianCluster cluster) throws Exception {
        List<BrokerProcess> brokers = startCluster(cluster);
        BrokerProcess broker = brokers.get(0);
        // every replica frozen: the leaves hang, the query waits on them
        for (StorageNodeProcess n : cluster.nodes()) {
            n.pause();
        }
        try {
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            HttpRequest impatient = HttpRequest.newBuilder(URI.create(broker.url() + "/api/v1/query"))
                    .timeout(Duration.ofMillis(500))
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"db":"db","metric":"warmup","start":%d,"end":%d,"select":[{"fn":"sum","field":"v"}]}""".formatted(T0, T0 + 1000)))
                    .build();
            try {
                http.send(impatient, HttpResponse.BodyHandlers.ofString());
                throw new AssertionError("the query answered although every storage node is frozen");
            } catch (HttpTimeoutException expected) {
                // the client went away
            }
            cluster.await()
                    .alias("the broker counted the query as cancelled")
                    .until(() -> broker.get("/metrics")
                            .body()
                            .lines()
                            .anyMatch(l -> l.startsWith("meridian_broker_query_outcomes_total{")
                                    && l.contains("outcome=\"query_cancelled\"")
                                    && !l.endsWith(" 0.0")));
        } finally {
            for (StorageNodeProcess n : cluster.nodes()) {
                n.resume();
            }
        }
    }
}
