package io.meridian.meta.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdProcessTest {
    @Test
    void missingBinaryFailsWithTheInstallHint(@TempDir Path dir) {
        EtcdProcessOptions options =
                EtcdProcessOptions.defaults(dir.resolve("data")).withBinary(dir.resolve("no-such-etcd"));

        assertThatThrownBy(() -> EtcdProcess.start(options))
                .isInstanceOf(EtcdBinaryMissingException.class)
                .hasMessageContaining("apt-get install -y etcd-server")
                .hasMessageContaining("[binary=" + dir.resolve("no-such-etcd") + "]");
    }

    @Test
    void portsAreValidated(@TempDir Path dir) {
        assertThatThrownBy(() -> EtcdProcessOptions.defaults(dir).withPorts(70_000, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid etcd port [clientPort=70000]");
        assertThat(EtcdProcessOptions.defaults(dir).withPorts(2379, 2380).clientPort())
                .isEqualTo(2379);
    }

    @Test
    void binaryComesFromTheSystemPropertyFirst() {
        String old = System.getProperty(EtcdProcessOptions.BINARY_PROPERTY);
        try {
            System.setProperty(EtcdProcessOptions.BINARY_PROPERTY, "/opt/etcd/bin/etcd");
            assertThat(EtcdProcessOptions.resolveBinary()).isEqualTo(Path.of("/opt/etcd/bin/etcd"));
        } finally {
            if (old == null) {
                System.clearProperty(EtcdProcessOptions.BINARY_PROPERTY);
            } else {
                System.setProperty(EtcdProcessOptions.BINARY_PROPERTY, old);
            }
        }
    }
}
