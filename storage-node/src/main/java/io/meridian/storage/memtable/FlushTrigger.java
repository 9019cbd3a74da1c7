package io.meridian.storage.memtable;

import io.meridian.common.error.BusyException;
import io.meridian.storage.shard.ShardMetrics;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.txn.StagedTransactions;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a shard's memtable is flushed, and when writes are refused instead (back-pressure).
 *
 * <p>A full memtable is flushed in the background while writes go on into a fresh one; a writer that
 * fills the fresh one twice over flushes inline when no flush is running; while one runs, further writes
 * wait for it and then get a retriable BUSY ({@link #awaitMemory}): that is the back-pressure, so about three
 * memtables' worth of points at most are ever in memory.
 *
 * <p>Thread-safe: called without the shard's locks. {@link #afterWrite} reads the memtable size without them
 * (a hint); {@link #awaitMemory} reads it under the shard's read lock and waits on its maintenance lock.
 */
public final class FlushTrigger {
    /** Logs as the shard: operators filter the engine's log by the shard's logger. */
    private static final Logger LOG = LoggerFactory.getLogger(FlushTrigger.class);
    /** How long a writer waits for a running flush before it gets a BUSY error. */
    static final long MEMORY_WAIT_MS = 2_000;
    /** Daemon threads (one per core) that flush full memtables of every shard in the process. */
    private static final ExecutorService BACKGROUND_FLUSHES =
            Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
                Thread t = new Thread(r, "meridian-memtable-flush");
                t.setDaemon(true);
                return t;
            });

    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Path dir;
    private final ShardOptions options;
    private final MemTables memTables;
    private final ShardMetrics metrics;
    private final ReentrantReadWriteLock lock;
    private final ReentrantLock maintenanceLock;
    private final Runnable flush;
    private final BooleanSupplier closed;
    private final NodeMemory node;
    private final StagedTransactions staged;
    /** This shard's memtable bytes (active and frozen) as last published to {@link #node}. */
    private volatile long published;
    /** This shard's staged, uncommitted bytes as last published to {@link #node}. */
    private volatile long publishedStaged;

    private final NodeMemory.Member member = new NodeMemory.Member() {
        @Override
        public long memtableBytes() {
            return published;
        }

        @Override
        public long stagedBytes() {
            return publishedStaged;
        }

        @Override
        public void requestFlush() {
            scheduleBackgroundFlush();
        }
    };

    /**
     * @param lock            the shard's lock
     * @param maintenanceLock held while a flush (or compaction, retention) runs
     * @param flush           the shard's flush
     * @param closed          whether the shard is closed (a background flush then does nothing)
     * @param node            the node-wide memtable bound this shard counts against
     */
    public FlushTrigger(
            Path dir,
            ShardOptions options,
            MemTables memTables,
            StagedTransactions staged,
            ShardMetrics metrics,
            ReentrantReadWriteLock lock,
            ReentrantLock maintenanceLock,
            Runnable flush,
            BooleanSupplier closed,
            NodeMemory node) {
        this.dir = dir;
        this.options = options;
        this.memTables = memTables;
        this.staged = staged;
        this.metrics = metrics;
        this.lock = lock;
        this.maintenanceLock = maintenanceLock;
        this.flush = flush;
        this.closed = closed;
        this.node = node;
        publish();
        node.register(member);
    }

    /**
     * Publishes this shard's memtable and staged bytes to the node; wakes writers waiting for memory when they
     * shrank.
     */
    public void publish() {
        long before = published + publishedStaged;
        lock.readLock().lock();
        try {
            published = memTables.bytes();
            publishedStaged = staged.heapBytes();
        } finally {
            lock.readLock().unlock();
        }
        if (published + publishedStaged < before) {
            node.memtablesShrank();
        }
    }

    /** The shard closed: it no longer counts against the node's bound. */
    public void leaveNode() {
        node.unregister(member);
    }

    /**
     * Flushes a full memtable, in the background or (when full twice over and no flush runs) inline; and asks the
     * node's largest shard to flush when the node is over its bound.
     */
    public void afterWrite() {
        publish();
        if (node.overBound()) {
            node.relieve();
        }
        long bytes = memTables.active().bytes();
        if (bytes < options.memtableBytes()) {
            return;
        }
        if (bytes >= 2 * options.memtableBytes()) {
            if (!maintenanceLock.isLocked()) {
                flush.run();
            } // else a flush is running (maybe waiting for followers): the next write gets a retriable BUSY
        } else {
            scheduleBackgroundFlush();
        }
    }

    /** Flushes this shard's active memtable on the background pool, unless a background flush is scheduled. */
    private void scheduleBackgroundFlush() {
        if (!flushScheduled.compareAndSet(false, true)) {
            return;
        }
        BACKGROUND_FLUSHES.execute(() -> {
            try {
                // again while the active memtable is full: writes that filled it while this flush ran found
                // one scheduled and did not schedule another, and if writes then stop nothing else would
                while (!closed.getAsBoolean()) {
                    flush.run();
                    if (!activeIsFull()) {
                        break;
                    }
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

    /**
     * Back-pressure: while a flush is running and the fresh memtable is full twice over, a writer waits for the
     * flush (up to {@link #MEMORY_WAIT_MS}); if it is still running (a replicated shard's flush may be waiting for
     * its followers) the write is refused with a retriable BUSY instead of growing the heap. Nothing changed.
     *
     * @throws BusyException then
     */
    public void awaitMemory() {
        if (!node.awaitWithinBound(MEMORY_WAIT_MS)) {
            metrics.busy();
            throw new BusyException("storage node memtables are at their bound [dir=" + dir + ", memtableBytes="
                    + node.memtableBytes() + ", stagedBytes=" + node.stagedBytes()
                    + ", limit=storage.memtable.node-limit=" + node.memtableLimit()
                    + "]: flushing; retry shortly");
        }
        if (!memoryOverBound()) {
            return;
        }
        try {
            if (maintenanceLock.tryLock(MEMORY_WAIT_MS, TimeUnit.MILLISECONDS)) {
                maintenanceLock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (memoryOverBound()) {
            metrics.busy();
            throw new BusyException("shard is flushing and its memtable is full [dir=" + dir
                    + ", limit=storage.memtable.size x 2]: retry shortly");
        }
    }

    private boolean activeIsFull() {
        lock.readLock().lock();
        try {
            return memTables.active().bytes() >= options.memtableBytes();
        } finally {
            lock.readLock().unlock();
        }
    }

    private boolean memoryOverBound() {
        lock.readLock().lock();
        try {
            return memTables.flushing() && memTables.active().bytes() >= 2 * options.memtableBytes();
        } finally {
            lock.readLock().unlock();
        }
    }
}
