package io.meridian.storage.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.common.config.ConfigTree;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.SeriesKey;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.WriteConcern;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import io.meridian.storage.replication.ReplicaAssignment;
import io.meridian.storage.replication.ReplicationOptions;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The composition root against a real etcd, with a recording controller: shard states written to etcd reach
 * the injected controller as assignments, its status reaches the node's report, and close deregisters at once.
 * (The master is not needed: the test writes the states it would.)
 */
@ExtendWith(EtcdExtension.class)
class StorageNodeIT {
    private static final String ROOT = "/node-it";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static MetaStore store;

    @TempDir
    Path dir;

    @BeforeAll
    static void connect(EtcdProcess etcd) {
        store = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), ROOT));
    }

    @AfterAll
    static void disconnect() {
        store.close();
    }

    private StorageNodeConfig config(EtcdProcess etcd, String id) {
        return StorageNodeConfig.from(
                ConfigTree.parse("test", """
                node: {id: %s, idc: idc1, cluster: c1, data-dir: '%s', report-interval: 100ms}
                meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                storage: {server.port: 0, http.port: 0, memtable.size: 4MiB, block-cache.size: 4MiB}
                """.formatted(id, dir.resolve(id), etcd.endpoint(), ROOT)));
    }

    @Test
    void assignmentsFlowToTheControllerAndStatusFlowsToTheReport(EtcdProcess etcd) {
        RecordingController controller = new RecordingController();
        StorageNode node = StorageNode.start(config(etcd, "n1"), ctx -> {
            assertThat(ctx.nodeId()).isEqualTo("n1");
            assertThat(ctx.replication()).isEqualTo(ReplicationOptions.defaults());
            return controller;
        });
        String nodeKey = store.keys().node("storage", "n1");
        try {
            await().atMost(WAIT).until(() -> store.get(nodeKey).isPresent() && node.isRegistered());

            DatabaseConfig db = new DatabaseConfig(
                    "cpu", 2, 2, WriteConcern.LEADER, List.of(IntervalSpec.parse("10s", "30d")), List.of("c1"));
            store.put(store.keys().database("cpu"), ModelCodec.encode(db));
            store.put(
                    store.keys().shard("cpu", "c1", 1),
                    ModelCodec.encode(new ShardState(
                            "cpu", "c1", 1, List.of("n1", "n2"), "n1", 3, Set.of("n1", "n2"), Map.of())));

            // an empty round may come first (the node starts before the shard exists)
            await().atMost(WAIT)
                    .until(() -> !controller.calls.isEmpty()
                            && !controller
                                    .calls
                                    .get(controller.calls.size() - 1)
                                    .isEmpty());
            ReplicaAssignment a =
                    controller.calls.get(controller.calls.size() - 1).get(0);
            assertThat(a.key()).isEqualTo(new ShardKey("cpu", 1));
            assertThat(a.epoch()).isEqualTo(3);
            assertThat(a.isLedBy("n1")).isTrue();
            assertThat(a.leaderAddress()).isEqualTo(node.self().address());
            assertThat(a.options().memtableBytes()).isEqualTo(4L << 20);

            // the recording controller reports what it was handed: the node publishes it
            await().atMost(WAIT)
                    .until(() -> store.get(store.keys().report("n1"))
                            .map(e -> ModelCodec.decode(e.value(), NodeReport.class, e.key()))
                            .filter(r -> r.replicas().size() == 1
                                    && r.replicas().get(0).knownState().epoch() == 3)
                            .isPresent());
        } finally {
            node.close();
        }
        assertThat(store.get(nodeKey)).as("close revokes the lease at once").isEmpty();
        assertThat(controller.closed).isTrue();
    }

    @Test
    void servesItsMetersToPrometheusOverHttp(EtcdProcess etcd) throws Exception {
        StorageNode node = StorageNode.start(config(etcd, "m1"), ctx -> new RecordingController());
        try {
            assertThat(node.httpPort()).isPositive();
            ShardKey key = new ShardKey("web", 1);
            long now = System.currentTimeMillis();
            DatabaseConfig db = new DatabaseConfig(
                    "web", 2, 1, WriteConcern.LEADER, List.of(IntervalSpec.parse("10s", "30d")), List.of("c1"));
            node.registry()
                    .open(key, ShardOptions.defaults(AssignmentPlanner.databaseOptions(db)), 1, true)
                    .shard()
                    .write(WriteBatch.builder()
                            .point(SeriesKey.of("cpu", "host", "a"), now, "usage", 1)
                            .point(SeriesKey.of("cpu", "host", "b"), now, "usage", 2)
                            .build());
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + node.httpPort();

            HttpResponse<String> metrics = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            assertThat(metrics.body())
                    .contains("meridian_storage_points_written_total{db=\"web\",shard=\"1\"} 2.0")
                    .contains("meridian_storage_series{db=\"web\",shard=\"1\"} 2.0")
                    .contains("meridian_storage_disk_free_bytes ")
                    .contains("meridian_storage_disk_watermark_bytes ")
                    .contains("meridian_storage_disk_refused_writes_total 0.0")
                    .contains("meridian_storage_memtable_node_bytes ")
                    .contains("jvm_memory_used_bytes");

            HttpResponse<String> live = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            HttpResponse<String> unknown = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/v1/write")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("/api/v1/write").contains("/metrics");
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/metrics"))
                            .POST(HttpRequest.BodyPublishers.ofString("x"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        } finally {
            node.close();
        }
    }
}
