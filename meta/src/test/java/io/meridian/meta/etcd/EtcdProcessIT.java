package io.meridian.meta.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class EtcdProcessIT {
    @Test
    void startsRestartsOnTheSamePortAndWipes() {
        EtcdProcess etcd = EtcdProcess.start(EtcdProcessOptions.temporary());
        try (MetaStore store = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), "/it"))) {
            assertThat(etcd.isRunning()).isTrue();
            String endpoint = etcd.endpoint();
            store.put("/it/k", "v".getBytes(StandardCharsets.UTF_8));

            etcd.stop();
            assertThat(etcd.isRunning()).isFalse();
            etcd.restart();
            assertThat(etcd.endpoint()).isEqualTo(endpoint);
            assertThat(store.get("/it/k")).map(e -> e.valueUtf8()).contains("v");

            etcd.wipe();
            etcd.restart();
            assertThat(store.get("/it/k")).isEmpty();
        } finally {
            etcd.destroy();
        }
        assertThat(Files.exists(etcd.dataDir())).isFalse();
        assertThat(etcd.isRunning()).isFalse();
    }

    @Test
    void anEtcdLeftRunningOnTheDataDirIsStoppedByTheNextStart() throws Exception {
        EtcdProcessOptions options = EtcdProcessOptions.temporary();
        EtcdProcess orphan = EtcdProcess.start(options); // as if its owner died without stopping it
        EtcdProcess next = null;
        try (MetaStore store = MetaStore.connect(MetaStoreOptions.of(orphan.endpoint(), "/it"))) {
            store.put("/it/k", "v".getBytes(StandardCharsets.UTF_8));
            next = EtcdProcess.start(options);
            assertThat(orphan.isRunning()).as("the orphan was stopped").isFalse();
            assertThat(next.isRunning()).isTrue();
            try (MetaStore again = MetaStore.connect(MetaStoreOptions.of(next.endpoint(), "/it"))) {
                assertThat(again.get("/it/k"))
                        .as("the same data dir, served again")
                        .map(e -> e.valueUtf8())
                        .contains("v");
            }
        } finally {
            if (next != null) {
                next.destroy();
            }
            orphan.stop();
        }
        assertThat(Files.exists(
                        options.dataDir().resolveSibling(options.dataDir().getFileName() + ".pid")))
                .as("the pid file goes with a stopped etcd")
                .isFalse();
    }
}
