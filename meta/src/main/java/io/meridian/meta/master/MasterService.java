package io.meridian.meta.master;

import io.meridian.common.error.BackgroundTasks;
import io.meridian.common.error.MetaUnavailableException;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.cache.SnapshotDecoder;
import io.meridian.meta.model.ClusterMarker;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.MasterInfo;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.planner.ClusterView;
import io.meridian.meta.planner.DdlPlanner;
import io.meridian.meta.planner.MetaChange;
import io.meridian.meta.planner.RebuildPlanner;
import io.meridian.meta.planner.ShardPlanner;
import io.meridian.meta.store.MetaEvent;
import io.meridian.meta.store.MetaRange;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.PrefixWatch;
import io.meridian.meta.store.WatchListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's master role: campaigns, and while master, keeps etcd's shard states reconciled with configs and
 * live nodes, rebuilds wiped metadata from node reports, and executes DDL. Every write is fenced.
 *
 * <p>Threading: one private thread runs planning, writes and DDL one at a time, so the master never races
 * itself. Public DDL methods block the caller until done (bounded by the operation timeout).
 */
public final class MasterService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterService.class);
    private static final int MAX_ROUNDS_PER_RECONCILE = 20;

    private final MetaStore store;
    private final String nodeId;
    private final MasterOptions options;
    private final Clock clock;
    private final MasterElection election;
    private final FencedWriter writer;
    private final ShardPlanner shards;
    private final DdlPlanner ddl;
    private final RebuildPlanner rebuild = new RebuildPlanner();
    private final ScheduledExecutorService executor;
    private final AtomicBoolean reconcilePending = new AtomicBoolean();

    /** Signalled when this broker becomes master, for {@link #awaitMaster}. */
    private final ReentrantLock termLock = new ReentrantLock();

    private final Condition elected = termLock.newCondition();

    // master-thread state
    private volatile MasterTerm term;
    private Instant masterSince;
    private final Map<String, Instant> liveSince = new HashMap<>();
    private final Map<String, Instant> deadSince = new HashMap<>();
    private PrefixWatch trigger;
    private ScheduledFuture<?> tick;

    public MasterService(MetaStore store, String nodeId, String address, MasterOptions options, Clock clock) {
        this.store = store;
        this.nodeId = nodeId;
        this.options = options;
        this.clock = clock;
        this.writer = new FencedWriter(store);
        this.shards = new ShardPlanner(options.planner());
        this.ddl = new DdlPlanner(shards);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "master-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        this.election = new MasterElection(store, nodeId, address, options, new Election(), clock);
    }

    public MasterService start() {
        election.start();
        return this;
    }

    public boolean isMaster() {
        return term != null;
    }

    /**
     * Waits until this broker is master ({@link #isMaster()}): true, or false once {@code timeout} passed (or the
     * waiting thread was interrupted, whose flag stays set). Woken when it becomes master; no polling.
     */
    public boolean awaitMaster(Duration timeout) {
        long left = timeout.toNanos();
        termLock.lock();
        try {
            while (term == null) {
                if (left <= 0) {
                    return false;
                }
                left = elected.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            termLock.unlock();
        }
    }

    public String nodeId() {
        return nodeId;
    }

    public void createCluster(StorageCluster cluster) {
        runDdl("create cluster " + cluster.name(), v -> ddl.createCluster(v, cluster));
    }

    public void dropCluster(String name) {
        runDdl("drop cluster " + name, v -> ddl.dropCluster(v, name));
    }

    public void createDatabase(DatabaseConfig config) {
        runDdl("create database " + config.name(), v -> ddl.createDatabase(v, config));
    }

    public void alterDatabase(DatabaseConfig config) {
        runDdl("alter database " + config.name(), v -> ddl.alterDatabase(v, config));
    }

    public void dropDatabase(String name) {
        runDdl("drop database " + name, v -> ddl.dropDatabase(v, name));
    }

    /** Stops without resigning, as if the process died: the lease expires after its TTL. For tests. */
    public void crash() {
        election.crash();
        executor.shutdownNow();
        if (trigger != null) {
            trigger.close();
        }
    }

    @Override
    public void close() {
        election.close();
        if (executor.isShutdown()) {
            return; // crashed
        }
        executor.execute(this::stopActing);
        executor.shutdown();
        try {
            executor.awaitTermination(options.leaseTtl().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runDdl(String statement, Function<ClusterView, List<MetaChange>> plan) {
        callOnMasterThread(() -> {
            MasterTerm t = term;
            if (t == null) {
                throw notMaster(statement);
            }
            Loaded loaded = load();
            if (loaded.snapshot().marker() == null) {
                throw new MetaUnavailableException(
                        "DDL refused: metadata is being rebuilt from node reports" + " [node=" + nodeId + ", statement="
                                + statement + "]",
                        null);
            }
            List<MetaChange> changes = plan.apply(loaded.view());
            long revision = writer.apply(t, changes);
            LOG.info("DDL applied [statement={}, changes={}, revision={}]", statement, changes.size(), revision);
            return null;
        });
    }

    /** Not master: say who is, or fail with the etcd error if etcd cannot even be asked. */
    private RuntimeException notMaster(String statement) {
        String current = store.get(store.keys().master())
                .map(e -> ModelCodec.decode(e.value(), MasterInfo.class, e.key()))
                .map(m -> m.nodeId() + "@" + m.address())
                .orElse("none");
        return new NotMasterException("DDL refused: this broker is not the master [node=" + nodeId + ", master="
                + current + ", statement=" + statement + "]");
    }

    private void reconcileSoon() {
        if (reconcilePending.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    reconcilePending.set(false);
                    reconcileSafely();
                });
            } catch (RejectedExecutionException closing) {
                reconcilePending.set(false);
            }
        }
    }

    private void reconcileSafely() {
        try {
            reconcile();
        } catch (NotMasterException e) {
            LOG.info("{}", e.getMessage());
        } catch (MetaUnavailableException e) {
            LOG.debug("reconcile skipped, etcd unreachable [node={}]: {}", nodeId, e.getMessage());
        }
    }

    private void reconcile() {
        for (int round = 0; round < MAX_ROUNDS_PER_RECONCILE; round++) {
            MasterTerm t = term;
            if (t == null) {
                return;
            }
            Loaded loaded = load();
            if (loaded.snapshot().marker() == null) {
                Duration waited = Duration.between(masterSince, clock.instant());
                if (waited.compareTo(options.rebuildGrace()) < 0) {
                    return; // nodes are still re-registering and re-reporting; the tick comes back
                }
                List<MetaChange> changes = rebuild.rebuild(loaded.view());
                ClusterMarker marker = new ClusterMarker(UUID.randomUUID().toString(), clock.instant());
                writer.applyWithMarker(t, changes, marker);
                LOG.info(
                        "metadata initialized [node={}, rebuiltFromReports={}, reports={}, clusterId={}]",
                        nodeId,
                        changes.size(),
                        loaded.view().reports().size(),
                        marker.clusterId());
                continue;
            }
            List<MetaChange> changes = shards.reconcile(loaded.view());
            if (changes.isEmpty()) {
                return;
            }
            long revision = writer.apply(t, changes);
            LOG.info("shard plan applied [node={}, changes={}, revision={}]", nodeId, changes.size(), revision);
        }
        LOG.warn(
                "planner did not settle in {} rounds; continuing at the next tick [node={}]",
                MAX_ROUNDS_PER_RECONCILE,
                nodeId);
    }

    private record Loaded(MetaSnapshot snapshot, ClusterView view) {}

    private Loaded load() {
        MetaRange range = store.range(store.keys().all());
        MetaSnapshot s = SnapshotDecoder.decode(store.keys(), range.entries(), range.revision());
        Instant now = clock.instant();
        liveSince.keySet().retainAll(s.nodes().keySet());
        s.nodes().keySet().forEach(n -> liveSince.putIfAbsent(n, now));
        Set<String> holders = new HashSet<>();
        s.states().values().forEach(st -> holders.addAll(st.replicas()));
        deadSince.keySet().retainAll(holders);
        deadSince.keySet().removeAll(s.nodes().keySet());
        holders.stream().filter(n -> !s.nodes().containsKey(n)).forEach(n -> deadSince.putIfAbsent(n, now));
        ClusterView view = new ClusterView(
                s.nodes(), liveSince, deadSince, s.clusters(), s.databases(), s.statesById(), s.reports(), now);
        return new Loaded(s, view);
    }

    private void becomeMaster(MasterTerm t) {
        termLock.lock();
        try {
            term = t;
            elected.signalAll();
        } finally {
            termLock.unlock();
        }
        masterSince = clock.instant();
        liveSince.clear();
        deadSince.clear(); // a new master counts the repair delay from its own start: late, never early
        trigger = store.watchPrefix(store.keys().all(), new Trigger());
        long ms = options.reconcileInterval().toMillis();
        tick = executor.scheduleWithFixedDelay(
                BackgroundTasks.guarded("master-reconcile", this::reconcileSafely), ms, ms, TimeUnit.MILLISECONDS);
    }

    private void stopActing() {
        term = null;
        if (trigger != null) {
            trigger.close();
            trigger = null;
        }
        if (tick != null) {
            tick.cancel(false);
            tick = null;
        }
    }

    private void callOnMasterThread(Callable<Void> task) {
        try {
            executor.submit(task).get(options.leaseTtl().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("BUG: master task failed [node=" + nodeId + "]", e.getCause());
        } catch (TimeoutException e) {
            throw new MetaUnavailableException("master task timed out [node=" + nodeId + "]", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted [node=" + nodeId + "]", e);
        }
    }

    private final class Election implements MasterElection.Listener {
        @Override
        public void onElected(MasterTerm t) {
            submit(() -> becomeMaster(t));
        }

        @Override
        public void onDeposed(MasterTerm t, String reason) {
            submit(MasterService.this::stopActing);
        }

        private void submit(Runnable r) {
            try {
                executor.execute(r);
            } catch (RejectedExecutionException closing) {
                LOG.debug("master service closed, ignoring an election event [node={}]", nodeId);
            }
        }
    }

    /** Any change under the root (a node lost, a report) triggers a planning round. */
    private final class Trigger implements WatchListener {
        @Override
        public void onReset(MetaRange range) {
            reconcileSoon();
        }

        @Override
        public void onEvents(List<MetaEvent> events) {
            reconcileSoon();
        }
    }
}
