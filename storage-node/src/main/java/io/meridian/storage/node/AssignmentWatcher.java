package io.meridian.storage.node;

import io.meridian.common.error.BackgroundTasks;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.storage.replication.ReplicaAssignment;
import io.meridian.storage.replication.ReplicaController;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds metadata snapshots to the {@link ReplicaController}: on every snapshot (a {@code MetaCache} listener)
 * it plans this node's assignments ({@link AssignmentPlanner}) and, when they differ from the last ones it
 * handed over, calls {@link ReplicaController#reconcile}. A failed reconcile is retried after
 * {@code retryDelay} with the newest snapshot.
 *
 * <p>Threading: {@link #accept} only records the snapshot and returns (it runs on the meta watch thread and
 * must not wait for shards to open); one private thread plans and reconciles, so reconcile calls are serialized
 * and bursts of snapshots collapse into one round on the newest.
 */
public final class AssignmentWatcher implements Consumer<MetaSnapshot>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AssignmentWatcher.class);

    private final String nodeId;
    private final AssignmentPlanner planner;
    private final ReplicaController controller;
    private final Runnable onReconciled;
    private final Duration retryDelay;
    private final BooleanSupplier metaLive;
    private final BiConsumer<String, Long> onDropped;
    private final AtomicReference<MetaSnapshot> latest = new AtomicReference<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ScheduledThreadPoolExecutor executor;

    // watcher-thread state
    private List<ReplicaAssignment> handedOver;
    private List<String> lastSkipped = List.of();
    /** Database name -> generation in the last snapshot that came from etcd itself (null before the first). */
    private Map<String, Long> liveDatabases;

    private volatile long rounds;

    /**
     * @param onReconciled called (on the watcher thread) after each reconcile that changed the assignments
     * @param metaLive     true once the snapshots come from etcd itself rather than from the on-disk copy: until
     *                     then this node leads nothing (a restarted node's copy may name it leader of an epoch the
     *                     master has long moved past; it serves reads and waits)
     */
    public AssignmentWatcher(
            String nodeId,
            AssignmentPlanner planner,
            ReplicaController controller,
            Runnable onReconciled,
            Duration retryDelay,
            BooleanSupplier metaLive) {
        this(nodeId, planner, controller, onReconciled, retryDelay, metaLive, (db, generation) -> {});
    }

    /**
     * @param onDropped called (on the watcher thread, after the reconcile that closed its replicas) with the name and
     *                  generation of a database this node saw in etcd's metadata and that is gone from it now: the
     *                  database was dropped, and its files may go. Only a change seen in etcd's own snapshots counts
     *                  (never the on-disk copy), so a node pointed at the wrong etcd root or prefix deletes nothing.
     */
    public AssignmentWatcher(
            String nodeId,
            AssignmentPlanner planner,
            ReplicaController controller,
            Runnable onReconciled,
            Duration retryDelay,
            BooleanSupplier metaLive,
            BiConsumer<String, Long> onDropped) {
        this.onDropped = Objects.requireNonNull(onDropped, "onDropped");
        this.metaLive = Objects.requireNonNull(metaLive, "metaLive");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.planner = Objects.requireNonNull(planner, "planner");
        this.controller = Objects.requireNonNull(controller, "controller");
        this.onReconciled = Objects.requireNonNull(onReconciled, "onReconciled");
        this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "assignment-watcher-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // no retry after close
    }

    @Override
    public void accept(MetaSnapshot snapshot) {
        latest.set(Objects.requireNonNull(snapshot, "snapshot"));
        if (scheduled.compareAndSet(false, true)) {
            submit(0);
        }
    }

    /** How many reconcile calls completed (for tests and logs). */
    public long rounds() {
        return rounds;
    }

    private void submit(long delayMs) {
        try {
            executor.schedule(
                    BackgroundTasks.guarded("replica-assignments", this::round), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            scheduled.set(false);
        }
    }

    private void round() {
        scheduled.set(false);
        MetaSnapshot s = latest.get();
        AssignmentPlan plan = planner.plan(s);
        if (!metaLive.getAsBoolean()) {
            plan = plan.withoutLeadershipOf(nodeId);
        }
        if (!plan.skipped().equals(lastSkipped)) {
            plan.skipped()
                    .forEach(reason ->
                            LOG.warn("not serving a shard assigned to this node [node={}]: {}", nodeId, reason));
            lastSkipped = plan.skipped();
        }
        if (plan.assignments().equals(handedOver)) {
            retireDropped(s);
            return;
        }
        long started = System.nanoTime();
        try {
            controller.reconcile(plan.assignments());
        } catch (RuntimeException e) {
            LOG.error(
                    "reconciling replicas failed; retrying [node={}, revision={}, retryMs={}]",
                    nodeId,
                    s.revision(),
                    retryDelay.toMillis(),
                    e);
            if (scheduled.compareAndSet(false, true)) {
                submit(retryDelay.toMillis());
            }
            return;
        }
        handedOver = plan.assignments();
        rounds++;
        long leading =
                plan.assignments().stream().filter(a -> a.isLedBy(nodeId)).count();
        LOG.info(
                "replica assignments reconciled [node={}, revision={}, replicas={}, leading={}, ms={}]",
                nodeId,
                s.revision(),
                plan.assignments().size(),
                leading,
                (System.nanoTime() - started) / 1_000_000);
        onReconciled.run();
        retireDropped(s);
    }

    /** Hands over the databases that were in the last live snapshot and are not in this one (dropped). */
    private void retireDropped(MetaSnapshot s) {
        if (!metaLive.getAsBoolean()) {
            return;
        }
        Map<String, Long> now = new HashMap<>();
        s.databases().forEach((name, db) -> now.put(name, db.generation()));
        if (liveDatabases != null) {
            liveDatabases.forEach((name, generation) -> {
                if (!now.containsKey(name)) {
                    try {
                        onDropped.accept(name, generation);
                    } catch (RuntimeException e) {
                        LOG.error(
                                "cannot free the files of a dropped database; they stay [node={}, database={}, "
                                        + "generation={}]",
                                nodeId,
                                name,
                                generation,
                                e);
                    }
                }
            });
        }
        liveDatabases = now;
    }

    @Override
    public void close() {
        executor.shutdown(); // a running round finishes: interrupting it could leave a shard half opened
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
