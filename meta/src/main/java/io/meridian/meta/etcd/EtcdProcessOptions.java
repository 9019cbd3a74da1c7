package io.meridian.meta.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run one etcd child process.
 *
 * @param binary the etcd executable
 * @param dataDir etcd's data directory (created when missing)
 * @param name the member name
 * @param startTimeout how long to wait for {@code /health} to answer
 * @param stopTimeout how long to wait after SIGTERM before killing the process
 * @param quotaBackendBytes the backend quota ({@code --quota-backend-bytes}); 0 keeps etcd's default
 * @param clientPort the client port on 127.0.0.1; 0 picks a free one
 * @param peerPort the peer port on 127.0.0.1; 0 picks a free one
 */
public record EtcdProcessOptions(
        Path binary,
        Path dataDir,
        String name,
        Duration startTimeout,
        Duration stopTimeout,
        long quotaBackendBytes,
        int clientPort,
        int peerPort) {

    /** System property naming the etcd binary. */
    public static final String BINARY_PROPERTY = "etcd.binary";
    /** Environment variable naming the etcd binary (the system property wins). */
    public static final String BINARY_ENV = "ETCD_BINARY";
    /** Where Debian's {@code etcd-server} package installs the binary. */
    public static final Path DEFAULT_BINARY = Path.of("/usr/bin/etcd");

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

    public EtcdProcessOptions {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        checkPort("clientPort", clientPort);
        checkPort("peerPort", peerPort);
        if (quotaBackendBytes < 0) {
            throw new IllegalArgumentException(
                    "invalid etcd quota [quotaBackendBytes=" + quotaBackendBytes + "]: want >= 0");
        }
    }

    /** Default options with the binary resolved from the system property, the environment or the default. */
    public static EtcdProcessOptions defaults(Path dataDir) {
        return new EtcdProcessOptions(
                resolveBinary(), dataDir, "meridian", DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT, 0, 0, 0);
    }

    /** Options for a throw-away etcd in a fresh temporary directory. */
    public static EtcdProcessOptions temporary() {
        try {
            return defaults(Files.createTempDirectory("meridian-etcd-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary etcd data dir", e);
        }
    }

    public EtcdProcessOptions withBinary(Path newBinary) {
        return new EtcdProcessOptions(
                newBinary, dataDir, name, startTimeout, stopTimeout, quotaBackendBytes, clientPort, peerPort);
    }

    /** Fixed ports (e.g. 2379/2380 for a standalone node); 0 keeps picking free ones. */
    public EtcdProcessOptions withPorts(int newClientPort, int newPeerPort) {
        return new EtcdProcessOptions(
                binary, dataDir, name, startTimeout, stopTimeout, quotaBackendBytes, newClientPort, newPeerPort);
    }

    boolean fixedPorts() {
        return clientPort != 0 || peerPort != 0;
    }

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("invalid etcd port [" + what + "=" + port + "]: want 0..65535");
        }
    }

    /** The binary named by {@value #BINARY_PROPERTY}, else {@value #BINARY_ENV}, else {@code /usr/bin/etcd}. */
    public static Path resolveBinary() {
        String fromProperty = System.getProperty(BINARY_PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return Path.of(fromProperty);
        }
        String fromEnv = System.getenv(BINARY_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return DEFAULT_BINARY;
    }
}
