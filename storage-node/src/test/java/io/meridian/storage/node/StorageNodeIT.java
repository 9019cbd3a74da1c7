package io.meridian.storage.node;

import io.meridian.storage.replication.ReplicationOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.common.config.ConfigTree;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.IntervalSpec;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.WriteConcern;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import io.meridian.storage.replication.ReplicaAssignment;
import io.meridian.storage.server.ShardKey;
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

    @TempDir Path dir;

    @BeforeAll
    static void connect(EtcdProcess etcd) {
        store = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), ROOT));
    }

    @AfterAll
    static void disconnect() {
        store.close();
    }

    private StorageNodeConfig config(EtcdProcess etcd, String id) {
        return StorageNodeConfig.from(ConfigTree.parse("test", """
                node: {id: %s, idc: idc1, cluster: c1, data-dir: '%s', report-interval: 100ms}
                meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                storage: {server.port: 0, memtable.size: 4MiB, block-cache.size: 4MiB}
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

            DatabaseConfig db = new DatabaseConfig("cpu", 2, 2, WriteConcern.LEADER,
                    List.of(new IntervalSpec("10s", "30d")), List.of("c1"));
            store.put(store.keys().database("cpu"), ModelCodec.encode(db));
            store.put(store.keys().shard("cpu", "c1", 1), ModelCodec.encode(new ShardState("cpu", "c1", 1,
                    List.of("n1", "n2"), "n1", 3, Set.of("n1", "n2"), Map.of())));

            // an empty round may come first (the node starts before the shard exists)
            await().atMost(WAIT).until(() -> !controller.calls.isEmpty()
                    && !controller.calls.get(controller.calls.size() - 1).isEmpty());
            ReplicaAssignment a = controller.calls.get(controller.calls.size() - 1).get(0);
            assertThat(a.key()).isEqualTo(new ShardKey("cpu", 1));
            assertThat(a.epoch()).isEqualTo(3);
            assertThat(a.isLedBy("n1")).isTrue();
            assertThat(a.leaderAddress()).isEqualTo(node.self().address());
            assertThat(a.options().memtableBytes()).isEqualTo(4L << 20);

            // the recording controller reports what it was handed: the node publishes it
            await().atMost(WAIT).until(() -> store.get(store.keys().report("n1"))
                    .map(e -> ModelCodec.decode(e.value(), NodeReport.class, e.key()))
                    .filter(r -> r.replicas().size() == 1 && r.replicas().get(0).knownState().epoch() == 3)
                    .isPresent());
        } finally {
            node.close();
        }
        assertThat(store.get(nodeKey)).as("close revokes the lease at once").isEmpty();
        assertThat(controller.closed).isTrue();
    }
}
