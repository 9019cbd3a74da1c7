package io.meridian.meta.store;

import io.etcd.jetcd.Lease;
import io.meridian.common.error.BackgroundTasks;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes one lease every third of its TTL with {@code keepAliveOnce}. While etcd is unreachable it keeps
 * trying; when etcd answers that the lease is gone (TTL &lt;= 0 or "lease not found") it reports the loss once
 * and stops. One-shot refreshes (instead of jetcd's keep-alive stream) make "lease lost" an explicit event.
 *
 * <p>Threading: runs on the store's scheduler; {@link #close()} may be called from any thread.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final Supplier<Lease> leases;
    private final long lease;
    private final Duration ttl;
    private final Consumer<String> onLost;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile ScheduledFuture<?> task;

    LeaseKeeper(
            Supplier<Lease> leases,
            ScheduledExecutorService scheduler,
            long lease,
            Duration ttl,
            Consumer<String> onLost,
            Duration timeout) {
        this.leases = leases;
        this.scheduler = scheduler;
        this.lease = lease;
        this.ttl = ttl;
        this.onLost = onLost;
        this.timeout = timeout;
    }

    void start() {
        long periodMs = Math.max(100, ttl.toMillis() / 3);
        task = scheduler.scheduleWithFixedDelay(
                BackgroundTasks.guarded("etcd-lease", this::refresh), periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    public long lease() {
        return lease;
    }

    public boolean isLost() {
        return done.get() && task == null;
    }

    private void refresh() {
        if (done.get()) {
            return;
        }
        try {
            long left = leases.get()
                    .keepAliveOnce(lease)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .getTTL();
            if (left <= 0) {
                lost("lease expired");
            }
        } catch (ExecutionException e) {
            String msg = String.valueOf(e.getCause() == null ? e : e.getCause().getMessage());
            if (msg.contains("not found") || msg.contains("expired")) {
                lost(msg);
            } else {
                LOG.warn("cannot refresh lease, will retry [lease={}]: {}", Long.toHexString(lease), msg);
            }
        } catch (TimeoutException e) {
            LOG.warn(
                    "cannot refresh lease, will retry [lease={}]: no answer in {} ms",
                    Long.toHexString(lease),
                    timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void lost(String reason) {
        if (done.compareAndSet(false, true)) {
            cancel();
            task = null;
            LOG.info("lease lost [lease={}]: {}", Long.toHexString(lease), reason);
            onLost.accept(reason);
        }
    }

    private void cancel() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** Stops refreshing (the lease then expires after its TTL unless revoked). */
    @Override
    public void close() {
        done.set(true);
        cancel();
    }
}
