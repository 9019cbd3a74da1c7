package io.meridian.meta.registry;

import io.meridian.common.error.BackgroundTasks;
import io.meridian.common.error.MetaUnavailableException;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.store.LeaseKeeper;
import io.meridian.meta.store.MetaEntry;
import io.meridian.meta.store.MetaStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one node registered under a lease, re-registering after the lease is lost (including when etcd
 * comes back empty), and publishes the node's report next to it.
 *
 * <p>Threading: all etcd work runs on one private scheduler thread; public methods only enqueue.
 */
public final class NodeRegistrar implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistrar.class);

    private final MetaStore store;
    private final NodeInfo self;
    private final Duration ttl;
    private final Supplier<NodeReport> reports;
    private final String nodeKey;
    private final String reportKey;
    private final ScheduledExecutorService executor;

    // executor-thread state
    private long lease;
    private LeaseKeeper keeper;
    private volatile boolean registered;
    private volatile long registrations;
    private volatile boolean stopped;

    /**
     * @param reports supplies the node's current report (called on the registrar thread)
     */
    public NodeRegistrar(MetaStore store, NodeInfo self, Duration ttl, Supplier<NodeReport> reports) {
        this.store = Objects.requireNonNull(store, "store");
        this.self = Objects.requireNonNull(self, "self");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.reports = Objects.requireNonNull(reports, "reports");
        this.nodeKey = store.keys().node(self.role().key(), self.id());
        this.reportKey = store.keys().report(self.id());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-registrar-" + self.id());
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers in the background (retrying while etcd is unreachable) and keeps the registration alive. */
    public NodeRegistrar start() {
        long periodMs = Math.max(100, ttl.toMillis() / 3);
        executor.scheduleWithFixedDelay(
                BackgroundTasks.guarded("node-registration", this::check), 0, periodMs, TimeUnit.MILLISECONDS);
        return this;
    }

    public NodeInfo self() {
        return self;
    }

    /** Whether the last check found our key in etcd. */
    public boolean isRegistered() {
        return registered;
    }

    /** How many times the node (re-)registered. */
    public long registrations() {
        return registrations;
    }

    /** Publishes a fresh report (e.g. after this node's replicas or sequences changed). */
    public void reportChanged() {
        executor.execute(() -> {
            if (registered && !stopped) {
                try {
                    store.put(reportKey, ModelCodec.encode(reports.get()), lease);
                } catch (MetaUnavailableException e) {
                    LOG.warn(
                            "cannot publish node report, the next check retries [node={}]: {}",
                            self.id(),
                            e.getMessage());
                    registered = false;
                }
            }
        });
    }

    private void check() {
        if (stopped) {
            return;
        }
        try {
            Optional<MetaEntry> mine = store.get(nodeKey);
            boolean ok = mine.isPresent() && mine.get().lease() == lease && keeper != null && !keeper.isLost();
            if (!ok) {
                register();
            }
            registered = true;
        } catch (MetaUnavailableException e) {
            registered = false;
            LOG.debug("registration check failed, retrying [node={}]: {}", self.id(), e.getMessage());
        }
    }

    private void register() {
        if (keeper != null) {
            keeper.close();
        }
        lease = store.grantLease(ttl);
        store.put(nodeKey, ModelCodec.encode(self), lease);
        store.put(reportKey, ModelCodec.encode(reports.get()), lease);
        keeper = store.keepAlive(lease, ttl, reason -> executor.execute(this::check));
        registrations++;
        LOG.info(
                "node registered [node={}, role={}, address={}, lease={}, ttlMs={}, registrations={}]",
                self.id(),
                self.role().key(),
                self.address(),
                Long.toHexString(lease),
                ttl.toMillis(),
                registrations);
    }

    /**
     * Stops refreshing without revoking, as if the process died: etcd removes the node after the TTL.
     * For fault-injection tests.
     */
    public void crash() {
        stopped = true;
        executor.shutdownNow();
        if (keeper != null) {
            keeper.close();
        }
    }

    /** Deregisters at once (revokes the lease) and stops. */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        executor.shutdown();
        try {
            executor.awaitTermination(ttl.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (keeper != null) {
            keeper.close();
            try {
                store.revokeLease(lease);
                LOG.info("node deregistered [node={}]", self.id());
            } catch (MetaUnavailableException e) {
                LOG.warn(
                        "cannot revoke lease, the node disappears after its TTL [node={}, ttlMs={}]: {}",
                        self.id(),
                        ttl.toMillis(),
                        e.getMessage());
            }
        }
    }
}
