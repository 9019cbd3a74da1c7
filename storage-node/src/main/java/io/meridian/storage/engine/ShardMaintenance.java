package io.meridian.storage.engine;

import io.meridian.common.error.BackgroundTasks;
import io.meridian.storage.file.DiskSpace;
import io.meridian.storage.file.FsyncMode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background upkeep of registered shards, every {@code interval}: fsync the WAL of shards in
 * {@link FsyncMode#INTERVAL} mode, flush memtables older than {@code memtableMaxAge} (so an idle shard's WAL does
 * not grow forever), merge parts ({@link Shard#compact()}) and drop expired segments
 * ({@link Shard#applyRetention()}). Each shard's round runs on a small pool of worker threads, and a shard whose
 * previous round is still running (a long merge) is skipped until it ends, so one slow shard cannot hold the others
 * back. A failure on one shard is logged and retried next round; it never stops the others. An {@link Error} stops the process loudly ({@link BackgroundTasks#EXIT}): a node whose maintenance
 * died would keep its registration while its memtables grow until writes block.
 */
public final class ShardMaintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardMaintenance.class);

    private final List<Shard> shards = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService executor;
    /** Runs the shards' rounds; a few threads, so that one slow shard leaves the others theirs. */
    private final ExecutorService workers;
    /** Shards whose round is running. */
    private final Set<Shard> running = ConcurrentHashMap.newKeySet();

    private final Duration memtableMaxAge;
    private final BackgroundTasks.OnFatal onFatal;
    /** Worker threads: a slow shard occupies one, the others go on. */
    static final int WORKERS = 2;

    private volatile DiskSpace disk;
    private volatile boolean compactionPostponedLogged;

    public ShardMaintenance(Duration interval, Duration memtableMaxAge) {
        this(interval, memtableMaxAge, BackgroundTasks.EXIT);
    }

    /** @param onFatal what an {@link Error} in a round does (tests observe it instead of exiting) */
    public ShardMaintenance(Duration interval, Duration memtableMaxAge, BackgroundTasks.OnFatal onFatal) {
        this.memtableMaxAge = memtableMaxAge;
        this.onFatal = onFatal;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-shard-maintenance");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "meridian-shard-maintenance-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(
                BackgroundTasks.guarded("shard-maintenance", this::dispatch, onFatal),
                interval.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Postpones compactions that would take the data directory below its free-space watermark. */
    public void watch(DiskSpace space) {
        this.disk = space;
    }

    public void register(Shard shard) {
        shards.add(shard);
    }

    public void unregister(Shard shard) {
        shards.remove(shard);
    }

    /** Starts the round of every shard whose previous round has ended. */
    private void dispatch() {
        for (Shard s : shards) {
            if (running.add(s)) {
                workers.execute(BackgroundTasks.guarded(
                        "shard-maintenance",
                        () -> {
                            try {
                                maintain(s);
                            } finally {
                                running.remove(s);
                            }
                        },
                        onFatal));
            }
        }
    }

    /** One shard's round. */
    private void maintain(Shard s) {
        try {
            if (s.options().walFsync() == FsyncMode.INTERVAL) {
                s.syncWal();
            }
            if (s.memtableAgeMillis() >= memtableMaxAge.toMillis()) {
                s.flush();
            }
            compact(s);
            s.applyRetention();
        } catch (RuntimeException e) {
            if (s.isClosed()) {
                shards.remove(s);
            } else {
                LOG.error("shard maintenance failed; retrying next round [dir={}]", s.directory(), e);
            }
        }
    }

    /** Compacts unless a merge (which may rewrite every part of the shard) lacks headroom above the watermark. */
    private void compact(Shard s) {
        DiskSpace d = disk;
        long rewrite = s.stats().partBytes();
        if (d != null && !d.hasHeadroomFor(rewrite)) {
            if (!compactionPostponedLogged) {
                compactionPostponedLogged = true;
                LOG.warn(
                        "compaction postponed: the data directory lacks headroom [dir={}, freeBytes={}, "
                                + "watermarkBytes={}, partBytes={}]",
                        s.directory(),
                        d.freeBytes(),
                        d.watermarkBytes(),
                        rewrite);
            }
            return;
        }
        compactionPostponedLogged = false;
        s.compact();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        workers.shutdownNow();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
