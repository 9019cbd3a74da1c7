package io.meridian.it.harness;

import io.meridian.common.io.LoopbackPorts;
import java.nio.file.Path;

/**
 * One storage node running as its own JVM ({@code io.meridian.storage.node.StorageMain}) with a generated
 * configuration, its own data directory and port (the same across restarts). Faults and lifecycle: see
 * {@link NodeProcess}.
 */
public final class StorageNodeProcess extends NodeProcess {
    private static final String MAIN = "io.meridian.storage.node.StorageMain";

    private final Path dataDir;
    private final int port;

    private StorageNodeProcess(NodeSettings settings, Path home, String etcdEndpoint, String root, int port) {
        super(
                settings.id(),
                MAIN,
                settings.jvmOptions(),
                home,
                "storage.yaml",
                settings.yaml(etcdEndpoint, root, home.resolve("data"), port));
        this.dataDir = home.resolve("data");
        this.port = port;
    }

    static StorageNodeProcess create(NodeSettings settings, Path baseDir, String etcdEndpoint, String root) {
        return new StorageNodeProcess(
                settings, baseDir.resolve(settings.id()), etcdEndpoint, root, LoopbackPorts.pick());
    }

    /** {@code 127.0.0.1:port} of the node's gRPC server (the same across restarts). */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized StorageNodeProcess start() {
        super.start();
        return this;
    }
}
