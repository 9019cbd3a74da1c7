package io.meridian.storage.engine;

import io.meridian.common.error.BusyException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a shard's memtable is flushed, and when writes are refused instead (back-pressure).
 *
 * <p>A full memtable is flushed in the background while writes go on into a fresh one; a writer that
 * fills the fresh one twice over flushes inline when no flush is running; while one runs, further writes
 * get a retriable BUSY ({@link #checkMemory}): that is the back-pressure, so about three memtables' worth
 * of points at most are ever in memory.
 *
 * <p>Thread-safe: {@link #afterWrite} runs without the shard's locks (the memtable size it reads is a hint);
 * {@link #checkMemory} is called under the shard's write lock.
 */
final class FlushTrigger {
    /** Logs as the shard: operators filter the engine's log by the shard's logger. */
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);
    /** Daemon threads (one per core) that flush full memtables of every shard in the process. */
    private static final ExecutorService BACKGROUND_FLUSHES = Executors
            .newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
                Thread t = new Thread(r, "meridian-memtable-flush");
                t.setDaemon(true);
                return t;
            });

    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Path dir;
    private final ShardOptions options;
    private final MemTables memTables;
    private final ShardMetrics metrics;
    private final ReentrantLock maintenanceLock;
    private final Runnable flush;
    private final BooleanSupplier closed;

    /**
     * @param maintenanceLock held while a flush (or compaction, retention) runs
     * @param flush           the shard's flush
     * @param closed          whether the shard is closed (a background flush then does nothing)
     */
    FlushTrigger(Path dir, ShardOptions options, MemTables memTables, ShardMetrics metrics, ReentrantLock maintenanceLock,
                 Runnable flush, BooleanSupplier closed) {
        this.dir = dir;
        this.options = options;
        this.memTables = memTables;
        this.metrics = metrics;
        this.maintenanceLock = maintenanceLock;
        this.flush = flush;
        this.closed = closed;
    }

    /** Flushes a full memtable, in the background or (when full twice over and no flush runs) inline. */
    void afterWrite() {
        long bytes = memTables.active().bytes();
        if (bytes < options.memtableBytes()) {
            return;
        }
        if (bytes >= 2 * options.memtableBytes()) {
            if (!maintenanceLock.isLocked()) {
                flush.run();
            } // else a flush is running (maybe waiting for followers): the next write gets a retriable BUSY
        } else if (flushScheduled.compareAndSet(false, true)) {
            BACKGROUND_FLUSHES.execute(() -> {
                try {
                    if (!closed.getAsBoolean()) {
                        flush.run();
                    }
                } catch (RuntimeException e) {
                    if (!closed.getAsBoolean()) {
                        LOG.error("background flush failed; the next write retries it [dir={}]", dir, e);
                    }
                } finally {
                    flushScheduled.set(false);
                }
            });
        }
    }

    /**
     * Back-pressure: while a flush is running and the fresh memtable is full twice over, writes are refused
     * with a retriable busy error instead of growing the heap (a replica's flush may wait for its followers).
     *
     * @throws BusyException then
     */
    void checkMemory() {
        if (memTables.flushing() && memTables.active().bytes() >= 2 * options.memtableBytes()) {
            metrics.busy();
            throw new BusyException("shard is flushing and its memtable is full [dir=" + dir
                    + ", memtableBytes=" + memTables.active().bytes() + ", limit=storage.memtable.size x 2]: retry shortly");
        }
    }
}
