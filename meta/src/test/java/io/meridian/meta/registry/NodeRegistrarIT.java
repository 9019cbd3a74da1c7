package io.meridian.meta.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EtcdExtension.class)
class NodeRegistrarIT {
    private static final Duration TTL = Duration.ofSeconds(1);
    private static MetaStore store;

    @BeforeAll
    static void connect(EtcdProcess etcd) {
        store = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), "/reg"));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    static NodeInfo node(String id) {
        return new NodeInfo(id, NodeRole.STORAGE, "127.0.0.1", 7000, 0, "idc1", "c1", "test", Instant.now());
    }

    private static boolean present(String id) {
        return store.get(store.keys().node("storage", id)).isPresent();
    }

    @Test
    void registeredNodeIsVisibleWithItsReportAndGoneAtOnceOnClose() {
        NodeRegistrar reg = new NodeRegistrar(store, node("s1"), TTL, () -> NodeReport.empty("s1")).start();
        await().atMost(Duration.ofSeconds(5)).until(() -> present("s1"));
        NodeInfo stored = ModelCodec.decode(
                store.get(store.keys().node("storage", "s1")).orElseThrow().value(), NodeInfo.class, "test");
        assertThat(stored).isEqualTo(reg.self());
        assertThat(store.get(store.keys().report("s1"))).isPresent();

        reg.close();
        assertThat(present("s1")).as("revoked lease deletes at once").isFalse();
        assertThat(store.get(store.keys().report("s1"))).isEmpty();
    }

    @Test
    void leaseExpiryRemovesACrashedNode() {
        NodeRegistrar reg = new NodeRegistrar(store, node("s2"), TTL, () -> NodeReport.empty("s2")).start();
        await().atMost(Duration.ofSeconds(5)).until(() -> present("s2"));
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(() -> present("s2"));

        reg.crash();

        await().atMost(TTL.plusSeconds(3)).until(() -> !present("s2"));
        assertThat(store.get(store.keys().report("s2"))).isEmpty();
    }

    @Test
    void nodeReRegistersWhenEtcdComesBackEmpty(EtcdProcess etcd) {
        try (NodeRegistrar reg = new NodeRegistrar(store, node("s3"), TTL, () -> NodeReport.empty("s3")).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> present("s3"));
            long before = reg.registrations();

            etcd.wipe();
            etcd.restart();

            // the key can be visible a moment before the registrar counts the registration it just made
            await().atMost(Duration.ofSeconds(15))
                    .ignoreExceptions()
                    .until(() -> present("s3") && reg.registrations() > before);
            assertThat(reg.registrations()).isGreaterThan(before);
        }
    }
}
