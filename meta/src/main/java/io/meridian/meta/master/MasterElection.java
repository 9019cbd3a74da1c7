package io.meridian.meta.master;

import io.meridian.common.error.BackgroundTasks;
import io.meridian.common.error.MetaUnavailableException;
import io.meridian.meta.model.MasterInfo;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.store.Guard;
import io.meridian.meta.store.LeaseKeeper;
import io.meridian.meta.store.MetaEntry;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaTxn;
import io.meridian.meta.store.TxnOp;
import io.meridian.meta.store.TxnResult;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Master election by preemption with a lease and a transaction: the first candidate to create the master key
 * under its lease is master until the key goes (lease expiry, revocation, resignation, wiped etcd).
 *
 * <p>A plain lease + txn is used instead of etcd's election API so that campaigning never blocks a thread in a
 * long-running call across etcd restarts, and so that the fencing token is simply the key's create revision.
 *
 * <p>Threading: one private scheduler thread does all etcd work and calls the listener.
 */
public final class MasterElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterElection.class);

    /** Receives the outcome of the election, on the election thread. */
    public interface Listener {
        void onElected(MasterTerm term);

        void onDeposed(MasterTerm term, String reason);
    }

    private final MetaStore store;
    private final String nodeId;
    private final String address;
    private final MasterOptions options;
    private final Listener listener;
    private final Clock clock;
    private final String masterKey;
    private final ScheduledExecutorService executor;

    // election-thread state
    private long lease;
    private LeaseKeeper keeper;
    private long lastConfirmedNanos;
    private volatile MasterTerm term;
    private volatile boolean stopped;

    public MasterElection(
            MetaStore store, String nodeId, String address, MasterOptions options, Listener listener, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.address = Objects.requireNonNull(address, "address");
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.masterKey = store.keys().master();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "master-election-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    public MasterElection start() {
        executor.scheduleWithFixedDelay(
                BackgroundTasks.guarded("master-election", this::poll),
                0,
                options.pollInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** The current term if this candidate is master, as far as it knows. */
    public Optional<MasterTerm> term() {
        return Optional.ofNullable(term);
    }

    private void poll() {
        if (stopped) {
            return;
        }
        try {
            if (term == null) {
                campaign();
            } else {
                verify();
            }
        } catch (MetaUnavailableException e) {
            if (term == null) {
                dropLease(); // the lease may be gone with a wiped etcd; take a fresh one next time
            } else if (System.nanoTime() - lastConfirmedNanos
                    > options.leaseTtl().toNanos()) {
                depose("etcd unreachable for longer than the lease TTL: the lease has surely expired");
            }
        }
    }

    private void campaign() {
        if (keeper == null || keeper.isLost()) {
            dropLease();
            lease = store.grantLease(options.leaseTtl());
            keeper = store.keepAlive(lease, options.leaseTtl(), reason -> {});
        }
        MasterInfo info = new MasterInfo(nodeId, address, clock.instant());
        TxnResult r = store.commit(MetaTxn.of(
                List.of(Guard.absent(masterKey)), List.of(new TxnOp.Put(masterKey, ModelCodec.encode(info), lease))));
        if (r.succeeded()) {
            MasterTerm won = new MasterTerm(nodeId, masterKey, r.revision(), lease);
            term = won;
            lastConfirmedNanos = System.nanoTime();
            LOG.info(
                    "elected master [node={}, termRevision={}, lease={}]",
                    nodeId,
                    won.revision(),
                    Long.toHexString(lease));
            listener.onElected(won);
        }
    }

    private void verify() {
        Optional<MetaEntry> key = store.get(masterKey);
        if (key.isEmpty() || key.get().createRevision() != term.revision()) {
            depose("master key gone or taken over");
        } else if (keeper == null || keeper.isLost()) {
            depose("master lease lost");
        } else {
            lastConfirmedNanos = System.nanoTime();
        }
    }

    private void depose(String reason) {
        MasterTerm old = term;
        term = null;
        dropLease();
        LOG.info("no longer master [node={}, termRevision={}]: {}", nodeId, old.revision(), reason);
        listener.onDeposed(old, reason);
    }

    private void dropLease() {
        if (keeper != null) {
            keeper.close();
            keeper = null;
        }
        lease = 0;
    }

    /** Steps down (deleting the key, fenced) so that another candidate takes over at once, then keeps campaigning. */
    public void resign() {
        runOnElectionThread(() -> {
            MasterTerm t = term;
            if (t == null) {
                return;
            }
            store.commit(MetaTxn.of(List.of(t.fence()), List.of(TxnOp.delete(masterKey))));
            long l = lease;
            depose("resigned");
            store.revokeLease(l);
        });
    }

    /** Stops campaigning and refreshing without telling etcd, as if the process died. For tests. */
    public void crash() {
        stopped = true;
        executor.shutdownNow();
        if (keeper != null) {
            keeper.close();
        }
    }

    @Override
    public void close() {
        if (stopped) {
            return;
        }
        try {
            resign();
        } catch (MetaUnavailableException e) {
            LOG.warn("cannot resign, the master key expires with its lease [node={}]: {}", nodeId, e.getMessage());
        }
        stopped = true;
        executor.shutdownNow();
        dropLease();
    }

    private void runOnElectionThread(Runnable r) {
        try {
            executor.submit(r).get(options.leaseTtl().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("BUG: election task failed [node=" + nodeId + "]", e.getCause());
        } catch (TimeoutException e) {
            throw new MetaUnavailableException("election task timed out [node=" + nodeId + "]", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted [node=" + nodeId + "]", e);
        }
    }
}
