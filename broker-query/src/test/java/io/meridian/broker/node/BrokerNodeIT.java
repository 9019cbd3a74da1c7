package io.meridian.broker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.rpc.StorageChannels;
import io.meridian.common.rpc.storage.v1.ListMetricsRequest;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.cache.Route;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.StorageCluster;
import io.meridian.storage.node.StorageMain;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.node.StorageNodeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real brokers ({@link BrokerNode}) against etcd and three replicating storage nodes in this JVM: one is
 * elected master; DDL sent to the other is forwarded to it; field declarations reach the shard leaders; writes
 * through the non-master land on storage; the cluster view and /metrics show what they should; a dropped database
 * refuses writes; and when the master broker stops, the other takes over and DDL works through it.
 */
@ExtendWith(EtcdExtension.class)
class BrokerNodeIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;
    private static final String ROOT = "/broker-node-it";

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void twoBrokersServeTheApiAndFailOver(EtcdProcess etcd) throws Exception {
        for (String id : List.of("s1", "s2", "s3")) {
            open.add(StorageNode.start(
                    StorageNodeConfig.from(
                            ConfigTree.parse("test", """
                    node: {id: %s, idc: idc1, cluster: c1, data-dir: '%s', report-interval: 100ms}
                    meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                    storage: {server.port: 0, http.port: -1, memtable.size: 4MiB, block-cache.size: 4MiB,
                              replication: {ack-timeout: 2s, lag-max: 2s, fetch-wait: 200ms}}
                    """.formatted(id, dir.resolve(id), etcd.endpoint(), ROOT))),
                    StorageMain.CONTROLLER));
        }
        BrokerNode b1 = broker(etcd, "b1");
        BrokerNode b2 = broker(etcd, "b2");

        // one master; the registered brokers carry the bound ports
        await().atMost(WAIT).until(() -> b1.master().isMaster() || b2.master().isMaster());
        BrokerNode master = b1.master().isMaster() ? b1 : b2;
        BrokerNode other = master == b1 ? b2 : b1;
        assertThat(other.master().isMaster()).isFalse();
        await().atMost(WAIT)
                .until(() -> other.cache()
                                .snapshot()
                                .nodes()
                                .containsKey(master.self().id())
                        && other.cache()
                                .snapshot()
                                .nodes()
                                .containsKey(other.self().id())
                        && other.cache().snapshot().master() != null
                        && other.cache().snapshot().marker() != null);
        NodeInfo registered = other.cache().snapshot().nodes().get(master.self().id());
        assertThat(registered.role()).isEqualTo(NodeRole.BROKER);
        assertThat(registered.httpPort()).isEqualTo(master.httpPort()).isPositive();
        assertThat(registered.grpcPort()).isEqualTo(master.grpcPort()).isPositive();
        assertThat(other.cache().snapshot().master().address()).isEqualTo("127.0.0.1:" + master.httpPort());
        ensureCluster(master, other);
        String base = other.httpUrl();

        // DDL through the non-master broker is forwarded to the master
        String create = """
                {"name":"web","shards":2,"replicas":3,"intervals":[{"interval":"10s","retention":"30d"}]}""";
        HttpResponse<String> created = send("POST", base + "/api/v1/databases", create);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode stored = JSON.readTree(created.body());
        assertThat(stored.get("name").asText()).isEqualTo("web");
        assertThat(stored.get("writeConcern").asText()).isEqualTo("majority");
        assertThat(stored.get("clusters").get(0).asText()).isEqualTo("c1");
        HttpResponse<String> again = send("POST", base + "/api/v1/databases", create);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).startsWith("{\"error\":").contains("web");
        HttpResponse<String> bad = send("POST", base + "/api/v1/databases", """
                {"name":"x","shards":"two","replicas":1,"intervals":[{"interval":"10s","retention":"30d"}]}""");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("field=shards");
        HttpResponse<String> badInterval = send("POST", base + "/api/v1/databases", """
                {"name":"x","shards":1,"replicas":1,"intervals":[{"interval":"10 s","retention":"30d"}]}""");
        assertThat(badInterval.statusCode()).isEqualTo(400);
        assertThat(badInterval.body()).contains("field=intervals[0]");
        // the one duration grammar: weeks work in DDL as they do in configuration and the engine's API
        HttpResponse<String> weeks = send("POST", base + "/api/v1/databases", """
                {"name":"weeks","shards":1,"replicas":1,"intervals":[{"interval":"1m","retention":"2w"}]}""");
        assertThat(weeks.statusCode()).as(weeks.body()).isEqualTo(201);
        assertThat(send("POST", base + "/api/v1/databases", "{not json").statusCode())
                .isEqualTo(400);
        assertThat(send("POST", base + "/api/v1/databases", """
                {"name":"x","shards":1,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"}],
                 "writeConcern":"some"}""").body()).contains("field=writeConcern");

        // list and describe from the non-master's cache, once the shards have leaders
        await().atMost(WAIT)
                .until(() -> other.cache().routing().leader("web", 0).isPresent()
                        && other.cache().routing().leader("web", 1).isPresent());
        assertThat(JSON.readTree(send("GET", base + "/api/v1/databases", null).body())
                        .get("databases")
                        .get(0)
                        .get("name")
                        .asText())
                .isEqualTo("web");
        JsonNode described =
                JSON.readTree(send("GET", base + "/api/v1/databases/web", null).body());
        assertThat(described.get("shards")).hasSize(2);
        assertThat(described.get("shards").get(0).get("leader").isTextual()).isTrue();
        assertThat(described.get("shards").get(0).get("replicas")).hasSize(3);
        assertThat(send("GET", base + "/api/v1/databases/nope", null).statusCode())
                .isEqualTo(404);

        // field declarations go to every shard leader
        HttpResponse<String> declared = send(
                "POST",
                base + "/api/v1/databases/web/metrics/http",
                "{\"fields\":{\"requests\":\"sum\",\"latency\":\"histogram\"}}");
        assertThat(declared.statusCode()).as(declared.body()).isEqualTo(200);
        HttpResponse<String> badType =
                send("POST", base + "/api/v1/databases/web/metrics/http", "{\"fields\":{\"requests\":\"bogus\"}}");
        assertThat(badType.statusCode()).isEqualTo(400);
        assertThat(badType.body()).contains("field=requests").contains("histogram");
        HttpResponse<String> conflict =
                send("POST", base + "/api/v1/databases/web/metrics/http", "{\"fields\":{\"requests\":\"gauge\"}}");
        assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(ErrorCode.TYPE_CONFLICT.httpStatus());
        assertThat(send("POST", base + "/api/v1/databases/nope/metrics/http", "{\"fields\":{\"requests\":\"sum\"}}")
                        .statusCode())
                .isEqualTo(404);

        // a write through the non-master broker lands on the shard leaders
        StringBuilder lines = new StringBuilder();
        for (int host = 0; host < 20; host++) {
            lines.append("cpu,host=h")
                    .append(host)
                    .append(" usage=")
                    .append(host)
                    .append(' ')
                    .append(T0)
                    .append('\n');
        }
        HttpResponse<String> written = send("POST", base + "/api/v1/write?db=web&precision=ms", lines.toString());
        assertThat(written.statusCode()).as(written.body()).isEqualTo(204);
        assertThat(leaderMetrics(other, "web")).contains("cpu");

        // an operator's flush writes the memtable of every replica as parts: 2 shards x 3 replicas, leaders first
        HttpResponse<String> flushed = send("POST", base + "/api/v1/databases/web/flush", null);
        assertThat(flushed.statusCode()).as(flushed.body()).isEqualTo(200);
        JsonNode replicas = JSON.readTree(flushed.body()).get("replicas");
        assertThat(replicas).hasSize(6);
        long leaderPoints = 0;
        for (int i = 0; i < replicas.size(); i++) {
            assertThat(replicas.get(i).has("error")).as(flushed.body()).isFalse();
            leaderPoints += i % 3 == 0 ? replicas.get(i).get("points").asLong() : 0;
        }
        assertThat(leaderPoints)
                .as("every acknowledged point, flushed by its leader")
                .isEqualTo(20);
        assertThat(send("POST", base + "/api/v1/databases/nope/flush", null).statusCode())
                .isEqualTo(404);
        assertThat(leaderMetrics(other, "web")).as("still served, from parts").contains("cpu");

        // the cluster view: both brokers, three storage nodes, the master, the shard leaders
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode cluster =
                    JSON.readTree(send("GET", base + "/api/v1/cluster", null).body());
            Map<String, String> roles = new TreeMap<>();
            cluster.get("nodes")
                    .forEach(n -> roles.put(n.get("id").asText(), n.get("role").asText()));
            assertThat(roles)
                    .containsEntry("b1", "broker")
                    .containsEntry("b2", "broker")
                    .containsEntry("s1", "storage")
                    .containsEntry("s2", "storage")
                    .containsEntry("s3", "storage");
            assertThat(cluster.get("master").get("nodeId").asText())
                    .isEqualTo(master.self().id());
            JsonNode shards = cluster.get("databases").get("web").get("shardStates");
            assertThat(shards).hasSize(2);
            for (JsonNode s : shards) {
                assertThat(s.get("leader").isTextual()).isTrue();
                assertThat(s.get("epoch").asLong()).isPositive();
                assertThat(s.get("replicas")).hasSize(3);
            }
            long leaderSeqs = 0;
            for (JsonNode s : shards) {
                for (JsonNode r : s.get("replicas")) {
                    if (r.get("leader").asBoolean()) {
                        leaderSeqs += r.get("lastSeq").asLong();
                    }
                }
            }
            assertThat(leaderSeqs).as("reported sequences grew with the write").isPositive();
        });

        // /metrics: broker request counters and JVM metrics in Prometheus text format
        HttpResponse<String> metrics = send("GET", base + "/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("meridian_broker_http_requests_total{endpoint=\"write\",status=\"204\"}")
                .contains("meridian_broker_http_request_seconds")
                .contains("meridian_broker_points_written_total 20.0")
                .contains("jvm_memory_used_bytes");

        // drop through the non-master; then writes are refused
        assertThat(send("DELETE", base + "/api/v1/databases/web", null).statusCode())
                .isEqualTo(204);
        await().atMost(WAIT).until(() -> !other.cache().snapshot().databases().containsKey("web"));
        assertThat(send("POST", base + "/api/v1/write?db=web", lines.toString()).statusCode())
                .isEqualTo(404);
        assertThat(send("DELETE", base + "/api/v1/databases/web", null).statusCode())
                .isEqualTo(404);
        assertThat(send("GET", base + "/metrics", null).body())
                .contains("meridian_broker_write_errors_total{code=\"not_found\"}");
        // the drop frees the disk: every storage node deletes the database's directory once it closed its replicas
        await().atMost(WAIT).untilAsserted(() -> {
            for (String id : List.of("s1", "s2", "s3")) {
                assertThat(dir.resolve(id).resolve("web"))
                        .as("files of the dropped database on " + id)
                        .doesNotExist();
            }
        });
        assertThat(List.of("s1", "s2", "s3"))
                .as("another database keeps its files (its one replica's node)")
                .anyMatch(
                        id -> Files.isDirectory(dir.resolve(id).resolve("weeks").resolve("shard-0")));

        // the master stops: the other broker takes over and DDL works through it
        open.remove(master);
        master.close();
        await().atMost(WAIT).until(() -> other.master().isMaster());
        await().atMost(WAIT)
                .until(() -> other.cache().snapshot().master() != null
                        && other.cache()
                                .snapshot()
                                .master()
                                .nodeId()
                                .equals(other.self().id())
                        && !other.cache()
                                .snapshot()
                                .nodes()
                                .containsKey(master.self().id()));
        HttpResponse<String> afterFailover = send("POST", base + "/api/v1/databases", create.replace("web", "web2"));
        assertThat(afterFailover.statusCode()).as(afterFailover.body()).isEqualTo(201);

        // the dropped name created again: empty on every replica (the old shard directories are gone), then writable
        HttpResponse<String> recreated = send("POST", base + "/api/v1/databases", create);
        assertThat(recreated.statusCode()).as(recreated.body()).isEqualTo(201);
        // a replica may not serve the new database for a moment (it is opening its shard): retried, not failed
        await().atMost(WAIT)
                .ignoreExceptionsInstanceOf(StatusRuntimeException.class)
                .untilAsserted(() -> assertThat(replicaMetrics(other, "web"))
                        .as("every replica")
                        .hasSize(6)
                        .allSatisfy(m -> assertThat(m).isEmpty()));
        HttpResponse<String> rewritten = send("POST", base + "/api/v1/write?db=web&precision=ms", lines.toString());
        assertThat(rewritten.statusCode()).as(rewritten.body()).isEqualTo(204);
        await().atMost(WAIT)
                .ignoreExceptionsInstanceOf(StatusRuntimeException.class)
                .untilAsserted(() -> assertThat(replicaMetrics(other, "web"))
                        .hasSize(6)
                        .allSatisfy(m -> assertThat(m).containsExactly("cpu")));
    }

    /** The metrics each replica of each of the database's two shards holds (one entry per replica). */
    private static List<Set<String>> replicaMetrics(BrokerNode broker, String db) {
        List<Set<String>> out = new ArrayList<>();
        var snapshot = broker.cache().snapshot();
        for (var state : snapshot.states().values()) {
            if (!state.db().equals(db)) {
                continue;
            }
            for (String node : state.replicas()) {
                ManagedChannel ch =
                        StorageChannels.open(snapshot.nodes().get(node).address());
                try {
                    out.add(new HashSet<>(StorageServiceGrpc.newBlockingStub(ch)
                            .listMetrics(ListMetricsRequest.newBuilder()
                                    .setShard(ShardRef.newBuilder()
                                            .setDatabase(db)
                                            .setShard(state.shard()))
                                    .build())
                            .getMetricsList()));
                } finally {
                    ch.shutdownNow();
                }
            }
        }
        return out;
    }

    private BrokerNode broker(EtcdProcess etcd, String id) {
        BrokerNode b = BrokerNode.start(
                BrokerNodeConfig.from(
                        ConfigTree.parse("test", """
                node: {id: %s, idc: idc1, data-dir: '%s'}
                meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                broker: {http.port: 0, grpc.port: 0, http.worker-threads: 8, write.timeout: 30s}
                master: {lease-ttl: 2s, poll-interval: 100ms, reconcile-interval: 300ms, rebuild-grace: 1s,
                         rebalance-delay: 1h}
                """.formatted(id, dir.resolve(id), etcd.endpoint(), ROOT))),
                List.of());
        open.add(b);
        assertThat(b.self().httpPort()).isEqualTo(b.httpPort());
        assertThat(b.self().grpcPort()).isEqualTo(b.grpcPort());
        return b;
    }

    /** The storage cluster exists: rebuilt from the storage nodes' registrations, or created here. */
    private static void ensureCluster(BrokerNode master, BrokerNode other) {
        if (!other.cache().snapshot().clusters().containsKey("c1")) {
            try {
                master.master().createCluster(new StorageCluster("c1", "idc1"));
            } catch (InvalidInputException e) {
                if (e.code() != ErrorCode.ALREADY_EXISTS) {
                    throw e;
                }
            }
        }
        await().atMost(WAIT)
                .until(() -> other.cache().snapshot().clusters().containsKey("c1")
                        && other.cache().snapshot().nodes().values().stream()
                                        .filter(n -> n.role() == NodeRole.STORAGE)
                                        .count()
                                == 3);
    }

    /** The metrics the shard leaders of {@code db} hold, asked over the storage gRPC API. */
    private static Set<String> leaderMetrics(BrokerNode broker, String db) {
        Set<String> metrics = new HashSet<>();
        for (int shard = 0; shard < 2; shard++) {
            Route route = broker.cache().routing().leader(db, shard).orElseThrow();
            ManagedChannel ch = StorageChannels.open(route.address());
            try {
                metrics.addAll(StorageServiceGrpc.newBlockingStub(ch)
                        .listMetrics(ListMetricsRequest.newBuilder()
                                .setShard(ShardRef.newBuilder().setDatabase(db).setShard(shard))
                                .build())
                        .getMetricsList());
            } finally {
                ch.shutdownNow();
            }
        }
        return metrics;
    }

    private HttpResponse<String> send(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(WAIT)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
