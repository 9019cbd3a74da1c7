package io.meridian.meta.store;

import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.meridian.common.error.BackgroundTasks;
import io.meridian.common.error.MetaUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A prefix watch that survives disconnects, etcd restarts, compaction and a wiped etcd.
 *
 * <pre>
 *   resync: range(prefix) at R -> onReset -> jetcd watch from R+1
 *   resume(F): (caller holds everything before F) no range, jetcd watch from F; F compacted or beyond etcd's
 *              revision -> resync
 *   event batch: drop events with revision <= lastDelivered, deliver the rest, lastDelivered = max revision
 *   jetcd stream broken: jetcd resumes from its last revision + 1; on a watch error we reopen from lastDelivered+1
 *                        after a backoff (100 ms doubling to 2 s, reset by the next response)
 *   compacted: resync (the missed history no longer exists, so a full reset replaces it)
 *   every checkInterval: if etcd's revision or raft term is below what we saw, etcd was wiped: resync
 * </pre>
 *
 * <p>Threading: every state change and every listener call runs on one private delivery thread, so the
 * listener is never called concurrently and never from a gRPC thread.
 */
public final class PrefixWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrefixWatch.class);
    private static final Duration MIN_REOPEN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_REOPEN_BACKOFF = Duration.ofSeconds(2);

    private final MetaStore store;
    private final Supplier<Watch> watchClient;
    private final Runnable reattach = () -> submit(this::reattach);
    private final ScheduledExecutorService scheduler;
    private final String prefix;
    private final WatchListener listener;
    private final Duration checkInterval;
    private final ExecutorService delivery;

    // delivery-thread state
    private long lastRevision;
    private long lastRaftTerm;
    private long generation;
    private boolean needsResync = true;
    private long resumeFrom; // > 0 while a requested resume has not started yet
    private Watch.Watcher watcher;
    private long reopenBackoffMs = MIN_REOPEN_BACKOFF.toMillis();

    private volatile boolean closed;
    private volatile long deliveredRevision;
    private volatile long resets;
    private ScheduledFuture<?> checkTask;

    PrefixWatch(
            MetaStore store,
            Supplier<Watch> watchClient,
            ScheduledExecutorService scheduler,
            String prefix,
            WatchListener listener,
            Duration checkInterval) {
        this.store = store;
        this.watchClient = watchClient;
        this.scheduler = scheduler;
        this.prefix = prefix;
        this.listener = listener;
        this.checkInterval = checkInterval;
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "meta-watch " + prefix);
            t.setDaemon(true);
            return t;
        });
    }

    void start(long fromRevision) {
        store.connection().onReplaced(reattach);
        if (fromRevision > 0) {
            resumeFrom = fromRevision;
            needsResync = false;
            delivery.execute(this::resume);
        } else {
            delivery.execute(this::resync);
        }
        long ms = checkInterval.toMillis();
        checkTask = scheduler.scheduleWithFixedDelay(
                BackgroundTasks.guarded("meta-watch", () -> submit(this::check)), ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Asks for a full re-read, e.g. when the listener sees that etcd now holds another incarnation of the
     * data than the one it followed. Asynchronous.
     */
    public void requestResync() {
        submit(this::resync);
    }

    /** The revision of the last batch handed to the listener (or of the last reset). */
    public long deliveredRevision() {
        return deliveredRevision;
    }

    /** How many times the listener got a full reset (1 after a normal start). */
    public long resets() {
        return resets;
    }

    private void submit(Runnable r) {
        if (!closed) {
            try {
                delivery.execute(r);
            } catch (RejectedExecutionException closing) {
                // closed concurrently; nothing to deliver any more
            }
        }
    }

    private void resync() {
        if (closed) {
            return;
        }
        closeWatcher();
        generation++;
        MetaRange range;
        try {
            range = store.range(prefix);
        } catch (MetaUnavailableException e) {
            needsResync = true;
            LOG.warn("cannot resync watch, will retry [prefix={}]: {}", prefix, e.getMessage());
            return;
        }
        needsResync = false;
        lastRevision = range.revision();
        lastRaftTerm = range.raftTerm();
        resets++;
        listener.onReset(range);
        deliveredRevision = lastRevision;
        listener.onDelivered(lastRevision);
        LOG.info(
                "watch reset [prefix={}, revision={}, keys={}, resets={}]",
                prefix,
                lastRevision,
                range.entries().size(),
                resets);
        open(lastRevision + 1);
    }

    /**
     * Starts from a revision the caller already holds everything before (e.g. an on-disk snapshot), without a
     * full read. If etcd's history no longer reaches back that far (compacted) or went backwards (wiped),
     * falls back to a full reset.
     */
    private void resume() {
        if (closed || resumeFrom == 0) {
            return;
        }
        MetaRange status;
        try {
            status = store.status();
        } catch (MetaUnavailableException e) {
            LOG.warn(
                    "cannot resume watch yet, will retry [prefix={}, fromRevision={}]: {}",
                    prefix,
                    resumeFrom,
                    e.getMessage());
            return; // check() retries
        }
        long from = resumeFrom;
        resumeFrom = 0;
        if (status.revision() < from - 1) {
            LOG.warn(
                    "etcd is behind the resume revision (wiped?), resyncing [prefix={}, fromRevision={},"
                            + " revision={}]",
                    prefix,
                    from,
                    status.revision());
            resync();
            return;
        }
        lastRevision = from - 1;
        lastRaftTerm = status.raftTerm();
        deliveredRevision = lastRevision;
        listener.onDelivered(lastRevision);
        LOG.info("watch resumed [prefix={}, fromRevision={}, etcdRevision={}]", prefix, from, status.revision());
        open(from);
    }

    private void open(long fromRevision) {
        long gen = generation;
        WatchOption option =
                WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
        watcher = watchClient
                .get()
                .watch(
                        MetaStore.bs(prefix),
                        option,
                        Watch.listener(
                                resp -> submit(() -> onResponse(gen, resp)), err -> submit(() -> onError(gen, err))));
    }

    private void onResponse(long gen, WatchResponse resp) {
        if (closed || gen != generation || needsResync || resumeFrom > 0) {
            return;
        }
        List<MetaEvent> events = new ArrayList<>(resp.getEvents().size());
        long max = lastRevision;
        for (WatchEvent e : resp.getEvents()) {
            MetaEntry entry = MetaStore.entry(e.getKeyValue());
            if (entry.modRevision() <= lastRevision) {
                continue; // already delivered before a resume
            }
            MetaEvent.Type type = switch (e.getEventType()) {
                case PUT -> MetaEvent.Type.PUT;
                case DELETE -> MetaEvent.Type.DELETE;
                default -> null;
            };
            if (type != null) {
                events.add(new MetaEvent(type, entry));
                max = Math.max(max, entry.modRevision());
            }
        }
        reopenBackoffMs = MIN_REOPEN_BACKOFF.toMillis();
        if (!events.isEmpty()) {
            lastRevision = max;
            listener.onEvents(List.copyOf(events));
            deliveredRevision = max;
            listener.onDelivered(max);
        }
    }

    private void onError(long gen, Throwable err) {
        if (closed || gen != generation) {
            return;
        }
        if (err instanceof CompactedException c) {
            LOG.warn(
                    "watch history compacted, resyncing [prefix={}, lastRevision={}, compactedRevision={}]",
                    prefix,
                    lastRevision,
                    c.getCompactedRevision());
            resync();
            return;
        }
        closeWatcher();
        generation++;
        long reopenGen = generation;
        long delayMs = reopenBackoffMs;
        reopenBackoffMs = Math.min(MAX_REOPEN_BACKOFF.toMillis(), reopenBackoffMs * 2);
        LOG.warn(
                "watch broken, reopening [prefix={}, fromRevision={}, inMs={}]: {}",
                prefix,
                lastRevision + 1,
                delayMs,
                err.getMessage());
        scheduler.schedule(
                () -> submit(() -> {
                    if (reopenGen == generation && !closed && !needsResync) {
                        open(lastRevision + 1);
                    }
                }),
                delayMs,
                TimeUnit.MILLISECONDS);
    }

    private void check() {
        if (closed) {
            return;
        }
        if (resumeFrom > 0) {
            resume();
            return;
        }
        if (needsResync) {
            resync();
            return;
        }
        MetaRange status;
        try {
            status = store.status();
        } catch (MetaUnavailableException e) {
            return; // etcd down: keep what we have; jetcd keeps trying to resume the stream
        }
        if (status.revision() < lastRevision || status.raftTerm() < lastRaftTerm) {
            LOG.warn(
                    "etcd went backwards (wiped or restored), resyncing [prefix={}, revision={}, lastRevision={},"
                            + " raftTerm={}, lastRaftTerm={}]",
                    prefix,
                    status.revision(),
                    lastRevision,
                    status.raftTerm(),
                    lastRaftTerm);
            resync();
        } else {
            lastRaftTerm = status.raftTerm();
        }
    }

    /** The store replaced its jetcd client: continue on the new one from where we are. */
    private void reattach() {
        if (closed || needsResync || resumeFrom > 0 || watcher == null) {
            return; // nothing open; the pending resync or resume opens on the new client
        }
        closeWatcher();
        generation++;
        open(lastRevision + 1);
    }

    private void closeWatcher() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (RuntimeException e) {
                LOG.debug("closing a broken watcher failed [prefix={}]", prefix, e);
            }
            watcher = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        store.connection().removeOnReplaced(reattach);
        if (checkTask != null) {
            checkTask.cancel(false);
        }
        delivery.execute(this::closeWatcher);
        delivery.shutdown();
    }
}
