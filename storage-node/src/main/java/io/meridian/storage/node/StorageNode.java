package io.meridian.storage.node;

import io.meridian.common.error.StorageIoException;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.registry.NodeRegistrar;
import io.meridian.meta.store.MetaStore;
import io.meridian.storage.engine.ShardMaintenance;
import io.meridian.storage.file.DiskSpace;
import io.meridian.storage.memtable.NodeMemory;
import io.meridian.storage.part.BlockCache;
import io.meridian.storage.replication.ReplicaController;
import io.meridian.storage.server.ReplicationHooks;
import io.meridian.storage.server.ShardRegistry;
import io.meridian.storage.server.StorageServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One storage node: the composition root of the storage role.
 *
 * <pre>
 *   etcd <--MetaStore--+--MetaCache (watch, on-disk snapshot in {data-dir}/.meta) --> AssignmentWatcher
 *                      |                                                               | plan (pure)
 *                      |                                                               v
 *                      +--NodeRegistrar (lease, NodeInfo, NodeReport) <--report-- ReplicaController
 *                                   ^                                                   | open/close/epoch
 *                           ReportPublisher (status changed?)                           v
 *   clients --gRPC--> StorageServer ----------------------------------------------> ShardRegistry
 *                                                                   ShardMaintenance (flush, compact, retention)
 * </pre>
 *
 * <p>{@link #close()} deregisters first (the master moves leadership away at once instead of after the lease
 * TTL), then stops following metadata, stops the server, closes the controller and the replicas, and finally
 * the etcd client. A failure to close one part does not stop the others; the first is rethrown.
 */
public final class StorageNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StorageNode.class);
    /** Directory under {@code node.data-dir} of the metadata snapshot (a database name cannot start with '.'). */
    public static final String META_DIR = ".meta";

    private static final Duration RECONCILE_RETRY_DELAY = Duration.ofSeconds(1);

    private final StorageNodeConfig config;
    private final NodeInfo self;
    private final ShardRegistry registry;
    private final ReplicaController controller;
    private final NodeRegistrar registrar;
    private final MetaCache cache;
    private final AssignmentWatcher watcher;
    /** Everything to close, most recently started first. */
    private final Deque<AutoCloseable> parts;

    private boolean closed;
    /** The bound port of /metrics, or -1 when {@code storage.http.port} is -1. */
    private final int httpPort;

    private StorageNode(
            StorageNodeConfig config,
            NodeInfo self,
            ShardRegistry registry,
            ReplicaController controller,
            NodeRegistrar registrar,
            MetaCache cache,
            AssignmentWatcher watcher,
            int httpPort,
            Deque<AutoCloseable> parts) {
        this.config = config;
        this.httpPort = httpPort;
        this.self = self;
        this.registry = registry;
        this.controller = controller;
        this.registrar = registrar;
        this.cache = cache;
        this.watcher = watcher;
        this.parts = parts;
    }

    /**
     * Starts every part and registers the node. Registration and the first metadata read go on in the
     * background while etcd is unreachable; replicas from the on-disk snapshot are opened at once.
     *
     * @throws StorageIoException when the data directory cannot be created or the gRPC port cannot be bound
     */
    public static StorageNode start(StorageNodeConfig config, ReplicaControllerFactory controllers) {
        return start(config, controllers, null);
    }

    /**
     * Starts a node whose meters register in {@code shared} (an embedder's registry, which also holds the JVM's
     * meters and is exposed by the embedder), or, when null, in a registry of its own with the JVM's meters. Either
     * way {@code storage.http.port} (unless -1) serves them at {@code /metrics}.
     */
    public static StorageNode start(
            StorageNodeConfig config, ReplicaControllerFactory controllers, PrometheusMeterRegistry shared) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(controllers, "controllers");
        Deque<AutoCloseable> parts = new ArrayDeque<>();
        try {
            createDirectory(config.dataDir());
            PrometheusMeterRegistry meters = shared;
            if (meters == null) {
                meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                parts.push(meters::close);
                started(parts, NodeMeters.bindJvm(meters));
            }
            int httpPort = -1;
            if (config.httpPort() >= 0) {
                httpPort = started(
                                parts, StorageHttpServer.start(config.server().host(), config.httpPort(), meters))
                        .port();
                LOG.info(
                        "storage node metrics at http://{}:{}/metrics",
                        config.server().host(),
                        httpPort);
            }
            MetaStore store = started(parts, MetaStore.connect(config.meta()));
            EngineSettings engine = config.engine();
            ShardMaintenance maintenance =
                    started(parts, new ShardMaintenance(engine.maintenanceInterval(), engine.memtableMaxAge()));
            DiskSpace disk = DiskSpace.of(
                    config.nodeId(), config.dataDir(), engine.diskMinFreePercent() / 100.0, engine.diskMinFreeFloor());
            maintenance.watch(disk);
            NodeMemory memory = new NodeMemory(engine.memtableNodeBytes());
            BlockCache blockCache = new BlockCache(engine.blockCacheBytes());
            blockCache.bindTo(meters);
            NodeMeters.bindDisk(meters, disk);
            NodeMeters.bindMemory(meters, memory);
            ShardRegistry registry =
                    started(parts, new ShardRegistry(config.dataDir(), maintenance, memory, disk, meters, blockCache));
            ReplicaController controller =
                    started(parts, controllers.create(new NodeContext(config.nodeId(), config, registry)));
            // started after the controller, so it stops taking calls before the controller closes
            StorageServer server = started(
                    parts,
                    StorageServer.start(
                            config.server(),
                            registry,
                            controller instanceof ReplicationHooks hooks ? hooks : ReplicationHooks.NONE));
            NodeInfo self = new NodeInfo(
                    config.nodeId(),
                    NodeRole.STORAGE,
                    config.server().host(),
                    server.port(),
                    0,
                    config.idc(),
                    config.cluster(),
                    version(),
                    Instant.now());
            MetaCache cache =
                    started(parts, new MetaCache(store, config.dataDir().resolve(META_DIR), config.idc()));
            NodeRegistrar registrar = new NodeRegistrar(
                    store,
                    self,
                    config.leaseTtl(),
                    () -> ReportAssembler.build(self.id(), self.cluster(), cache.snapshot(), controller.status()));
            AssignmentWatcher watcher = started(
                    parts,
                    new AssignmentWatcher(
                            self.id(),
                            new AssignmentPlanner(self, engine),
                            controller,
                            registrar::reportChanged,
                            RECONCILE_RETRY_DELAY,
                            () -> cache.watchedRevision() > 0,
                            registry::retire));
            cache.addListener(watcher);
            cache.start();
            started(parts, registrar.start());
            started(parts, new ReportPublisher(self.id(), controller, registrar, config.reportInterval()));
            LOG.info(
                    "storage node started [node={}, address={}, idc={}, cluster={}, dataDir={}, etcd={}, root={}]",
                    self.id(),
                    self.address(),
                    self.idc(),
                    self.cluster(),
                    config.dataDir(),
                    config.meta().endpoints(),
                    config.meta().root());
            return new StorageNode(config, self, registry, controller, registrar, cache, watcher, httpPort, parts);
        } catch (RuntimeException e) {
            closeAll(parts, e);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T started(Deque<AutoCloseable> parts, T part) {
        parts.push(part);
        return part;
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageIoException("cannot create the node's data directory [node.data-dir=" + dir + "]", e);
        }
    }

    private static String version() {
        String v = StorageNode.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** This node as registered: id, cluster, and the address of its gRPC server. */
    public NodeInfo self() {
        return self;
    }

    /** The bound port of {@code /metrics} and {@code /health/live}; -1 when {@code storage.http.port} is -1. */
    public int httpPort() {
        return httpPort;
    }

    public StorageNodeConfig config() {
        return config;
    }

    public ShardRegistry registry() {
        return registry;
    }

    public ReplicaController controller() {
        return controller;
    }

    public MetaCache metadata() {
        return cache;
    }

    /** Whether the node's registration was in etcd at the last check. */
    public boolean isRegistered() {
        return registrar.isRegistered();
    }

    /** How many reconcile calls changed this node's assignments. */
    public long reconcileRounds() {
        return watcher.rounds();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        RuntimeException first = closeAll(parts, null);
        LOG.info("storage node stopped [node={}, ms={}]", self.id(), (System.nanoTime() - started) / 1_000_000);
        if (first != null) {
            throw first;
        }
    }

    /** Closes every part, most recent first; returns the first failure with the others suppressed. */
    private static RuntimeException closeAll(Deque<AutoCloseable> parts, RuntimeException prior) {
        RuntimeException first = prior;
        while (!parts.isEmpty()) {
            AutoCloseable part = parts.pop();
            try {
                part.close();
            } catch (Exception e) {
                RuntimeException re = e instanceof RuntimeException r
                        ? r
                        : new IllegalStateException(
                                "cannot close " + part.getClass().getSimpleName(), e);
                if (first == null) {
                    first = re;
                } else {
                    first.addSuppressed(re);
                }
            }
        }
        return prior == null ? first : null;
    }
}
