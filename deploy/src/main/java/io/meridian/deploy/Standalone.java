package io.meridian.deploy;

import io.meridian.broker.node.BrokerNode;
import io.meridian.broker.node.BrokerNodeConfig;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.etcd.EtcdProcessOptions;
import io.meridian.meta.model.StorageCluster;
import io.meridian.storage.node.StorageMain;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.node.StorageNodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meridian on one machine (ARCHITECTURE §9): etcd as a child process, one storage node and one broker in this
 * JVM, everything on 127.0.0.1 and all data under one directory ({@code etcd/}, {@code storage/},
 * {@code broker/}). The etcd ports are chosen on the first start and kept in {@code standalone.properties}, so a
 * restart on the same directory finds its metadata and every point again.
 *
 * <p>Writes go straight to the storage node (direct mode). The Kafka and Flink ingest path joins standalone mode
 * when the ingest job exists.
 */
public final class Standalone implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Standalone.class);
    static final String CLUSTER = "default";
    static final String IDC = "default";
    private static final String ROOT = "/meridian";
    private static final String STATE_FILE = "standalone.properties";

    private final Path dataDir;
    private final EtcdProcess etcd;
    private final StorageNode storage;
    private final BrokerNode broker;

    private Standalone(Path dataDir, EtcdProcess etcd, StorageNode storage, BrokerNode broker) {
        this.dataDir = dataDir;
        this.etcd = etcd;
        this.storage = storage;
        this.broker = broker;
    }

    /**
     * Starts every role and returns once the broker is ready (metadata watched, master elected, the storage
     * cluster known).
     *
     * @param httpPort the broker's HTTP port (0 picks a free one)
     */
    public static Standalone start(Path dataDir, int httpPort, Duration readyTimeout) {
        Path dir = dataDir.toAbsolutePath().normalize();
        createDirectory(dir);
        Properties state = loadState(dir);
        int clientPort = Integer.parseInt(state.getProperty("etcd.client-port", "0"));
        int peerPort = Integer.parseInt(state.getProperty("etcd.peer-port", "0"));
        EtcdProcess etcd = EtcdProcess.start(EtcdProcessOptions.defaults(dir.resolve("etcd")).withPorts(clientPort, peerPort));
        etcd.detachShutdownHook(); // Standalone.close() stops it last, after the nodes deregistered
        List<AutoCloseable> started = new ArrayList<>(List.of(etcd::stop));
        try {
            String endpoint = etcd.endpoint();
            state.setProperty("etcd.client-port", Integer.toString(etcd.clientPort()));
            state.setProperty("etcd.peer-port", Integer.toString(etcd.peerPort()));
            saveState(dir, state);
            StorageNode storage = StorageNode.start(StorageNodeConfig.from(ConfigTree.parse("standalone", """
                    node: {id: storage-1, idc: %s, cluster: %s, data-dir: '%s'}
                    meta: {etcd.endpoints: %s, root: %s}
                    storage: {server.host: 127.0.0.1, server.port: 0}
                    """.formatted(IDC, CLUSTER, dir.resolve("storage"), endpoint, ROOT))), StorageMain.CONTROLLER);
            started.add(0, storage);
            BrokerNode broker = BrokerNode.start(BrokerNodeConfig.from(ConfigTree.parse("standalone", """
                    node: {id: broker-1, idc: %s, host: 127.0.0.1, data-dir: '%s'}
                    meta: {etcd.endpoints: %s, root: %s}
                    broker: {http.port: %d, grpc.port: 0}
                    master: {rebuild-grace: 2s, rebalance-delay: 1m}
                    """.formatted(IDC, dir.resolve("broker"), endpoint, ROOT, httpPort))), List.of());
            started.add(0, broker);
            Standalone s = new Standalone(dir, etcd, storage, broker);
            s.awaitReady(readyTimeout);
            return s;
        } catch (RuntimeException e) {
            for (AutoCloseable c : started) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Ready: metadata watched, a master, and the storage cluster known (created here on a first start). */
    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var snapshot = broker.cache().snapshot();
            if (broker.cache().watchedRevision() > 0 && snapshot.master() != null && snapshot.marker() != null) {
                if (snapshot.clusters().containsKey(CLUSTER)) {
                    return;
                }
                if (broker.master().isMaster()) {
                    try {
                        broker.master().createCluster(new StorageCluster(CLUSTER, IDC));
                    } catch (InvalidInputException e) {
                        if (e.code() != ErrorCode.ALREADY_EXISTS) {
                            LOG.debug("storage cluster not created yet, trying again: {}", e.getMessage());
                        }
                    } catch (RuntimeException e) { // e.g. metadata still being rebuilt from the nodes' reports
                        LOG.debug("storage cluster not created yet, trying again: {}", e.getMessage());
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("standalone Meridian not ready after " + timeout.toSeconds() + " s [dataDir="
                        + dataDir + ", etcd=" + etcd.endpoint() + "]: see the log above");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    public BrokerNode broker() {
        return broker;
    }

    public String etcdEndpoint() {
        return etcd.endpoint();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops the broker, then the storage node (which flushes nothing it has not made durable), then etcd. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (AutoCloseable c : List.<AutoCloseable>of(broker, storage, etcd::stop)) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static Properties loadState(Path dir) {
        Properties p = new Properties();
        Path f = dir.resolve(STATE_FILE);
        if (Files.exists(f)) {
            try (var in = Files.newInputStream(f)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the standalone state [file=" + f + "]", e);
            }
        }
        return p;
    }

    private static void saveState(Path dir, Properties state) {
        Path f = dir.resolve(STATE_FILE);
        try (Writer w = Files.newBufferedWriter(f)) {
            state.store(w, "standalone Meridian: ports kept across restarts");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the standalone state [file=" + f + "]", e);
        }
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory [data-dir=" + dir + "]", e);
        }
    }
}
