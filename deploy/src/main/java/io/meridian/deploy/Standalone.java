package io.meridian.deploy;

import io.meridian.broker.health.Readiness;
import io.meridian.broker.node.BrokerNode;
import io.meridian.broker.node.BrokerNodeConfig;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.connector.kafka.IngestTopic;
import io.meridian.connector.kafka.embedded.EmbeddedKafka;
import io.meridian.ingest.EmbeddedIngest;
import io.meridian.ingest.IngestJobConfig;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.etcd.EtcdProcessOptions;
import io.meridian.meta.model.StorageCluster;
import io.meridian.storage.node.StorageMain;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.node.StorageNodeConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meridian on one machine (ARCHITECTURE §9): etcd as a child process; a Kafka broker, the ingest job on a Flink
 * MiniCluster, one storage node and one broker in this JVM; everything on 127.0.0.1 and all data under one
 * directory ({@code etcd/}, {@code kafka/}, {@code flink/}, {@code storage/}, {@code broker/}). Ports are chosen
 * on the first start and kept in {@code standalone.properties}, so a restart on the same directory finds its
 * metadata, its Kafka records, the job's last checkpoint and every point again.
 *
 * <p>Writes take the production path: broker (Kafka mode) -> topic {@code meridian.ingest} -> ingest job ->
 * storage, exactly once, visible once the job's checkpoint (1 s) completes. With {@code direct} there is no Kafka
 * and no Flink: the broker writes to the storage node and a write is visible when it is acknowledged.
 */
public final class Standalone implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Standalone.class);
    static final String CLUSTER = "default";
    static final String IDC = "default";
    private static final String ROOT = "/meridian";
    private static final String STATE_FILE = "standalone.properties";

    /** The first and the longest wait before asking the broker's pull-based readiness checks again. */
    private static final Duration READINESS_RECHECK_MIN = Duration.ofMillis(50);

    private static final Duration READINESS_RECHECK_MAX = Duration.ofMillis(200);

    /** Partitions of the ingest topic: at least the shards of a typical standalone database. */
    public static final int INGEST_PARTITIONS = 4;

    private final Path dataDir;
    private final EtcdProcess etcd;
    private final StartedComponents components;
    private final EmbeddedKafka kafka;
    private final StorageNode storage;
    private final BrokerNode broker;
    private EmbeddedIngest ingest;

    private Standalone(
            Path dataDir,
            EtcdProcess etcd,
            EmbeddedKafka kafka,
            StorageNode storage,
            BrokerNode broker,
            StartedComponents components) {
        this.components = components;
        this.dataDir = dataDir;
        this.etcd = etcd;
        this.kafka = kafka;
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
        return start(dataDir, httpPort, readyTimeout, false, 0);
    }

    /**
     * @param direct    no Kafka and no Flink: the broker writes straight to the storage node
     * @param kafkaPort the embedded Kafka broker's port, 0 for a free one
     */
    public static Standalone start(Path dataDir, int httpPort, Duration readyTimeout, boolean direct, int kafkaPort) {
        return start(dataDir, httpPort, readyTimeout, direct, kafkaPort, false);
    }

    /**
     * @param kafkaFsync the embedded Kafka broker fsyncs every message set before it acknowledges it: a 204 in Kafka
     *                   mode then survives a power loss (docs/replication.md, "Durability", has the cost)
     */
    public static Standalone start(
            Path dataDir, int httpPort, Duration readyTimeout, boolean direct, int kafkaPort, boolean kafkaFsync) {
        return start(dataDir, httpPort, readyTimeout, direct, kafkaPort, kafkaFsync, true);
    }

    /**
     * @param preAggregate the ingest job folds points into per-slot partial aggregates before they reach storage
     *                     ({@code ingest.preaggregate.enabled}, docs/ingest.md)
     */
    public static Standalone start(
            Path dataDir,
            int httpPort,
            Duration readyTimeout,
            boolean direct,
            int kafkaPort,
            boolean kafkaFsync,
            boolean preAggregate) {
        Path dir = dataDir.toAbsolutePath().normalize();
        createDirectory(dir);
        DataDirLock lock = DataDirLock.acquire(dir); // before anything starts: etcd's ports come from this directory
        Properties state = loadState(dir);
        int clientPort = Integer.parseInt(state.getProperty("etcd.client-port", "0"));
        int peerPort = Integer.parseInt(state.getProperty("etcd.peer-port", "0"));
        StandaloneMemory memory = StandaloneMemory.of(Runtime.getRuntime().maxMemory());
        StartedComponents started = new StartedComponents("standalone Meridian");
        started.add(lock); // released last, when everything else stopped
        try {
            EtcdProcess etcd = EtcdProcess.start(
                    EtcdProcessOptions.defaults(dir.resolve("etcd")).withPorts(clientPort, peerPort));
            started.add(etcd::stop);
            etcd.detachShutdownHook(); // stopped last, after the nodes deregistered
            String endpoint = etcd.endpoint();
            state.setProperty("etcd.client-port", Integer.toString(etcd.clientPort()));
            state.setProperty("etcd.peer-port", Integer.toString(etcd.peerPort()));
            EmbeddedKafka kafka = null;
            if (!direct) {
                kafka = started.add(
                        startKafka(dir.resolve("kafka"), kafkaPort, kafkaFsync, memory.kafkaQueuedRequestBytes()));
                state.setProperty(
                        "kafka.port",
                        kafka.bootstrapServers()
                                .substring(kafka.bootstrapServers().lastIndexOf(':')
                                        + 1)); // for tools that find the broker from the data directory
                createTopics(kafka);
            }
            saveState(dir, state);
            StorageNodeConfig storageConfig = StorageNodeConfig.from(ConfigTree.parse(
                    "standalone", """
                    node: {id: storage-1, idc: %s, cluster: %s, data-dir: '%s'}
                    meta: {etcd.endpoints: %s, root: %s}
                    storage: {server.host: 127.0.0.1, server.port: 0, http.port: -1}
                    """.formatted(IDC, CLUSTER, dir.resolve("storage"), endpoint, ROOT)));
            BrokerNodeConfig brokerConfig = BrokerNodeConfig.from(ConfigTree.parse("standalone", """
                    node: {id: broker-1, idc: %s, host: 127.0.0.1, data-dir: '%s'}
                    meta: {etcd.endpoints: %s, root: %s}
                    broker: {http.port: %d, grpc.port: 0, write.mode: %s%s}
                    master: {rebuild-grace: 2s, rebalance-delay: 1m}
                    """.formatted(
                            IDC,
                            dir.resolve("broker"),
                            endpoint,
                            ROOT,
                            httpPort,
                            direct ? "direct" : "kafka",
                            kafka == null ? "" : ", kafka.bootstrap-servers: '" + kafka.bootstrapServers() + "'")));
            IngestJobConfig ingestConfig = kafka == null
                    ? null
                    : IngestJobConfig.from(ConfigTree.parse("standalone", """
                    node.idc: %s
                    meta: {etcd.endpoints: %s, root: %s}
                    ingest: {kafka: {bootstrap-servers: '%s', fetch-max-bytes: %d}, parallelism: 1,
                             checkpoint.interval: 1s, sink.id: standalone,
                             preaggregate: {enabled: %s, max-cells: %d}}
                    """.formatted(
                                    IDC,
                                    endpoint,
                                    ROOT,
                                    kafka.bootstrapServers(),
                                    memory.ingestFetchMaxBytes(),
                                    preAggregate,
                                    memory.preAggregateMaxCells())));
            memory.check(storageConfig, brokerConfig, ingestConfig);
            // one registry: the broker's /metrics shows the storage node's meters too
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            started.add(meters::close);
            StorageNode storage = StorageNode.start(storageConfig, StorageMain.CONTROLLER, meters);
            started.add(storage);
            Readiness readiness = new Readiness();
            Readiness.Gate ingestRunning =
                    direct ? null : readiness.gate("ingest", "the Flink ingest job is not running yet");
            BrokerNode broker = BrokerNode.start(brokerConfig, List.of(), readiness, meters);
            started.add(broker);
            Standalone s = new Standalone(dir, etcd, kafka, storage, broker, started);
            s.awaitReady(readyTimeout);
            if (kafka != null) {
                s.ingest = EmbeddedIngest.start(ingestConfig, dir.resolve("flink"));
                started.add(s.ingest);
                ingestRunning.open();
            }
            s.awaitReadiness(readiness, readyTimeout);
            return s;
        } catch (Exception e) {
            started.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
    }

    private static EmbeddedKafka startKafka(Path dir, int port, boolean fsync, long maxQueuedRequestBytes)
            throws IOException {
        if (port != 0) {
            try (var probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                probe.close();
            } catch (IOException e) {
                throw new IllegalStateException(
                        "the Kafka port is taken [port=" + port + "]: stop what uses it, or start"
                                + " with --kafka-port 0 (a free port) or --direct (no Kafka)",
                        e);
            }
        }
        return EmbeddedKafka.start(dir, port, fsync, maxQueuedRequestBytes);
    }

    /** The ingest topic and its dead-letter topic, on a first start. */
    private static void createTopics(EmbeddedKafka kafka) throws Exception {
        try (var admin = kafka.admin()) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            if (!existing.contains(IngestTopic.DEFAULT_TOPIC)) {
                missing.add(new NewTopic(IngestTopic.DEFAULT_TOPIC, INGEST_PARTITIONS, (short) 1));
            }
            if (!existing.contains(IngestTopic.DEFAULT_DLQ_TOPIC)) {
                missing.add(new NewTopic(IngestTopic.DEFAULT_DLQ_TOPIC, 1, (short) 1));
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Ready: metadata watched, a master, and the storage cluster known (created here on a first start). Waits on
     * the broker's metadata cache (woken by each publication and watch delivery) and on its election; a failed
     * create is tried again at the next publication (e.g. once the master rebuilt the metadata).
     */
    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        MetaCache cache = broker.cache();
        while (true) {
            MetaSnapshot snapshot = cache.await(
                            s -> cache.watchedRevision() > 0 && s.master() != null && s.marker() != null,
                            left(deadline))
                    .orElseThrow(() -> notReady(timeout));
            if (snapshot.clusters().containsKey(CLUSTER)) {
                return;
            }
            // the only broker, so it becomes master; the snapshot may show its election before it acts on it
            if (!broker.master().awaitMaster(left(deadline))) {
                throw notReady(timeout);
            }
            try {
                broker.master().createCluster(new StorageCluster(CLUSTER, IDC));
            } catch (InvalidInputException e) {
                if (e.code() != ErrorCode.ALREADY_EXISTS) {
                    LOG.debug("storage cluster not created yet, trying again: {}", e.getMessage());
                }
            } catch (RuntimeException e) { // e.g. metadata still being rebuilt from the nodes' reports
                LOG.debug("storage cluster not created yet, trying again: {}", e.getMessage());
            }
            // the cluster's key, or whatever changes next, comes with a newer publication
            cache.await(s -> s.revision() > snapshot.revision() || s.clusters().containsKey(CLUSTER), left(deadline))
                    .orElseThrow(() -> notReady(timeout));
        }
    }

    private IllegalStateException notReady(Duration timeout) {
        return new IllegalStateException("standalone Meridian not ready after " + timeout.toSeconds() + " s [dataDir="
                + dataDir + ", etcd=" + etcd.endpoint() + "]: see the log above");
    }

    private static Duration left(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /**
     * Until the broker's {@code /health/ready} would answer 200, so that the banner and it agree. Its checks are
     * pull-based (the write path's check starts its Kafka topic lookup when asked, and signals nothing when the
     * lookup completes), so this waits on the metadata cache's next publication, which the metadata checks depend
     * on, but at most {@link #READINESS_RECHECK_MAX} (a bounded back-off from {@link #READINESS_RECHECK_MIN})
     * before asking the checks again.
     */
    private void awaitReadiness(Readiness readiness, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        MetaCache cache = broker.cache();
        Duration recheck = READINESS_RECHECK_MIN;
        List<String> waiting;
        while (!(waiting = readiness.waitingFor()).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("standalone Meridian not ready after " + timeout.toSeconds()
                        + " s [dataDir=" + dataDir + "]: waiting for " + String.join("; ", waiting));
            }
            MetaSnapshot seen = cache.snapshot();
            long watched = cache.watchedRevision();
            cache.await(s -> s != seen || cache.watchedRevision() != watched, recheck);
            recheck = recheck.multipliedBy(2).compareTo(READINESS_RECHECK_MAX) > 0
                    ? READINESS_RECHECK_MAX
                    : recheck.multipliedBy(2);
        }
    }

    /** The storage node (its metrics, for benchmarks). */
    public StorageNode storage() {
        return storage;
    }

    public BrokerNode broker() {
        return broker;
    }

    public String etcdEndpoint() {
        return etcd.endpoint();
    }

    /** The Kafka bootstrap address, or empty in direct mode. */
    public Optional<String> kafkaBootstrap() {
        return Optional.ofNullable(kafka).map(EmbeddedKafka::bootstrapServers);
    }

    /** The ingest job's Flink web UI, or empty in direct mode. */
    public Optional<String> flinkUi() {
        try {
            return ingest == null
                    ? Optional.empty()
                    : Optional.of(ingest.webUi().toString());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * Stops, in the reverse order of their start, the ingest job (its last checkpoint is kept), the broker, the
     * storage node (which flushes nothing it has not made durable), Kafka, then etcd. The same happens on a SIGTERM
     * or Ctrl-C at any moment, during the start-up included.
     */
    @Override
    public void close() {
        components.close();
    }

    /** Waits until the standalone was stopped (by {@link #close()} or a SIGTERM); false on timeout. */
    public boolean awaitStopped(Duration timeout) {
        return components.awaitClosed(timeout);
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
