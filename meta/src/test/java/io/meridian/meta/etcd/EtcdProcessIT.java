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
}
