package io.meridian.storage.engine;

import io.meridian.common.error.BackgroundTasks;
import io.meridian.storage.file.DiskSpace;
import io.meridian.storage.file.FsyncMode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background upkeep of registered shards on one daemon thread, every {@code interval}: fsync the WAL of
 * shards in {@link FsyncMode#INTERVAL} mode, flush memtables older than {@code memtableMaxAge} (so an idle
 * shard's WAL does not grow forever), merge parts ({@link Shard#compact()}) and drop expired segments
 * ({@link Shard#applyRetention()}). A failure on one shard is logged and retried next round; it never stops
 * the others. An {@link Error} stops the process loudly ({@link BackgroundTasks#EXIT}): a node whose maintenance
 * died would keep its registration while its memtables grow until writes block.
 */
public final class ShardMaintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardMaintenance.class);

    private final List<Shard> shards = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService executor;
    private final Duration memtableMaxAge;
    private final BackgroundTasks.OnFatal onFatal;
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
        executor.scheduleWithFixedDelay(BackgroundTasks.guarded("shard-maintenance", this::runOnce, onFatal),
                interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
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

    /** One round over every shard (also called by tests). */
    public void runOnce() {
        for (Shard s : shards) {
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
    }

    /** Compacts unless a merge (which may rewrite every part of the shard) lacks headroom above the watermark. */
    private void compact(Shard s) {
        DiskSpace d = disk;
        long rewrite = s.stats().partBytes();
        if (d != null && !d.hasHeadroomFor(rewrite)) {
            if (!compactionPostponedLogged) {
                compactionPostponedLogged = true;
                LOG.warn("compaction postponed: the data directory lacks headroom [dir={}, freeBytes={}, "
                        + "watermarkBytes={}, partBytes={}]", s.directory(), d.freeBytes(), d.watermarkBytes(), rewrite);
            }
            return;
        }
        compactionPostponedLogged = false;
        s.compact();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
