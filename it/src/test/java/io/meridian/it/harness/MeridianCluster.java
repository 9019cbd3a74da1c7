package io.meridian.it.harness;

import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.cache.SnapshotDecoder;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.etcd.EtcdProcessOptions;
import io.meridian.meta.master.MasterOptions;
import io.meridian.meta.master.MasterService;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.store.MetaRange;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * A Meridian cluster for multi-process tests, everything on 127.0.0.1 under one directory:
 *
 * <ul>
 *   <li>a real etcd ({@link EtcdProcess}, child process) — {@link #startEtcd()};</li>
 *   <li>a {@link MasterService} in the test JVM (the master is normally elected among brokers, which do not
 *       exist yet), with a 2 s lease and fast re-planning — {@link #startMaster()};</li>
 *   <li>storage nodes as separate JVMs ({@link StorageNodeProcess}) — {@link #startStorageNode(String)};</li>
 *   <li>an etcd client for assertions ({@link #meta()}, {@link #truth()}) and bounded waits
 *       ({@link #await()}).</li>
 * </ul>
 *
 * <p>{@link #close()} kills the nodes, stops the master and destroys etcd. {@link ClusterExtension} creates one
 * per test and prints every node's log when the test fails.
 */
public final class MeridianCluster implements AutoCloseable {
    public static final String ROOT = "/meridian";
    public static final String IDC = "idc1";
    public static final String CLUSTER = "c1";
    /** Master lease, poll, re-plan tick, rebuild grace; rebalancing is off (1 h) so placements stay put. */
    public static final MasterOptions MASTER_OPTIONS = new MasterOptions(
            Duration.ofSeconds(2),
            Duration.ofMillis(100),
            Duration.ofMillis(300),
            Duration.ofSeconds(1),
            new PlannerOptions(Duration.ofHours(1)));
    /** Default bound of {@link #await()}: JVM starts on a loaded 2-core machine take seconds. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

    private final Path dir;
    private final Map<String, StorageNodeProcess> nodes = new LinkedHashMap<>();
    private final Map<String, BrokerProcess> brokers = new LinkedHashMap<>();
    // written under the lock, read without it: awaitility polls on its own thread while a start method waits
    private volatile EtcdProcess etcd;
    private volatile MetaStore meta;
    private volatile MasterService master;
    private volatile MetaStore masterStore;

    public MeridianCluster(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** The directory everything lives under (etcd data, one directory per node). */
    public Path dir() {
        return dir;
    }

    /** Starts etcd (once) with its data under {@code dir/etcd}. */
    public synchronized EtcdProcess startEtcd() {
        if (etcd == null) {
            etcd = EtcdProcess.start(EtcdProcessOptions.defaults(dir.resolve("etcd")));
            meta = MetaStore.connect(new MetaStoreOptions(
                    List.of(etcd.endpoint()), ROOT, Duration.ofSeconds(3), Duration.ofMillis(200)));
        }
        return etcd;
    }

    public EtcdProcess etcd() {
        return Objects.requireNonNull(etcd, "etcd not started: call startEtcd() first");
    }

    /** The test's etcd client (root {@value #ROOT}). */
    public MetaStore meta() {
        return Objects.requireNonNull(meta, "etcd not started: call startEtcd() first");
    }

    /**
     * Runs the master in this JVM and waits until it is elected and has initialized the metadata (written the
     * cluster marker), so that DDL is accepted.
     */
    public MasterService startMaster() {
        synchronized (this) {
            if (master == null) {
                MetaStore store = MetaStore.connect(new MetaStoreOptions(
                        List.of(etcd().endpoint()), ROOT, Duration.ofSeconds(3), Duration.ofMillis(200)));
                masterStore = store;
                master =
                        new MasterService(store, "it-master", "127.0.0.1:1", MASTER_OPTIONS, Clock.systemUTC()).start();
            }
        }
        MasterService m = master;
        await().alias("master elected and metadata initialized").until(() -> m.isMaster() && truth().marker() != null);
        return m;
    }

    public MasterService master() {
        return Objects.requireNonNull(master, "master not started: call startMaster() first");
    }

    /** Creates and starts a storage node process with the harness defaults. */
    public StorageNodeProcess startStorageNode(String id) {
        return startStorageNode(NodeSettings.of(id));
    }

    /** Creates and starts a storage node process. */
    public synchronized StorageNodeProcess startStorageNode(NodeSettings settings) {
        if (nodes.containsKey(settings.id())) {
            throw new IllegalArgumentException("node exists [node=" + settings.id() + "]: use node(id).start()");
        }
        StorageNodeProcess node = StorageNodeProcess.create(settings, dir.resolve("nodes"), etcd().endpoint(), ROOT);
        nodes.put(settings.id(), node);
        return node.start();
    }

    /** Creates and starts a broker process of {@code idc} (every broker is a master candidate). */
    public synchronized BrokerProcess startBroker(String id, String idc) {
        if (brokers.containsKey(id)) {
            throw new IllegalArgumentException("broker exists [broker=" + id + "]: use broker(id).start()");
        }
        BrokerProcess b = BrokerProcess.create(id, idc, dir.resolve("brokers"), etcd().endpoint(), ROOT);
        brokers.put(id, b);
        return b.start();
    }

    public synchronized BrokerProcess broker(String id) {
        BrokerProcess b = brokers.get(id);
        if (b == null) {
            throw new IllegalArgumentException("no such broker [broker=" + id + ", brokers=" + brokers.keySet() + "]");
        }
        return b;
    }

    public synchronized StorageNodeProcess node(String id) {
        StorageNodeProcess n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no such node [node=" + id + ", nodes=" + nodes.keySet() + "]");
        }
        return n;
    }

    public synchronized List<StorageNodeProcess> nodes() {
        return List.copyOf(nodes.values());
    }

    /** What etcd holds right now, decoded (fresh read, no cache). */
    public MetaSnapshot truth() {
        MetaRange r = meta().range(meta().keys().all());
        return SnapshotDecoder.decode(meta().keys(), r.entries(), r.revision());
    }

    /** The shard states of {@code db} in the harness cluster, by shard number. */
    public List<ShardState> shards(String db) {
        return truth().states().values().stream()
                .filter(s -> s.db().equals(db) && s.cluster().equals(CLUSTER))
                .sorted((a, b) -> Integer.compare(a.shard(), b.shard()))
                .toList();
    }

    /** Awaitility with the harness's bound ({@link #DEFAULT_WAIT}) and a fast poll. Never sleep in tests. */
    public ConditionFactory await() {
        return Awaitility.await()
                .atMost(DEFAULT_WAIT)
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions();
    }

    /** Waits until every named node is registered in etcd (its process started and joined the cluster). */
    public void awaitRegistered(String... ids) {
        await().alias("nodes registered " + Arrays.toString(ids)).until(() -> {
            MetaSnapshot s = truth();
            return Arrays.stream(ids).allMatch(s.nodes()::containsKey);
        });
    }

    /** Waits until the named node's registration is gone (lease expired or revoked). */
    public void awaitGone(String id) {
        await().alias("node gone " + id).until(() -> !truth().nodes().containsKey(id));
    }

    /** Prints every node's log (the extension does this when a test fails). */
    public synchronized void printLogs(PrintStream out) {
        for (StorageNodeProcess n : nodes.values()) {
            out.println("======== log of storage node " + n.id() + " (" + n.logFile() + ") ========");
            out.println(n.log());
        }
        for (BrokerProcess b : brokers.values()) {
            out.println("======== log of broker " + b.id() + " (" + b.logFile() + ") ========");
            out.println(b.log());
        }
    }

    @Override
    public synchronized void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (BrokerProcess b : brokers.values()) {
            run(failures, b::close);
        }
        for (StorageNodeProcess n : nodes.values()) {
            run(failures, n::close);
        }
        if (master != null) {
            run(failures, master::close);
            run(failures, masterStore::close);
        }
        if (meta != null) {
            run(failures, meta::close);
        }
        if (etcd != null) {
            run(failures, etcd::destroy);
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void run(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
