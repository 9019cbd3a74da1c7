package io.meridian.storage.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a shard's flushes of full memtables in the background, on daemon threads (one per core) shared by
 * every shard in the process, with at most one flush of the shard scheduled at a time.
 *
 * <p>Thread-safe.
 */
final class BackgroundFlushes {
    /** Daemon threads (one per core) that flush full memtables of every shard in the process. */
    private static final ExecutorService BACKGROUND_FLUSHES = Executors
            .newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
                Thread t = new Thread(r, "meridian-memtable-flush");
                t.setDaemon(true);
                return t;
            });

    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    /** Runs {@code flush} in the background unless a flush of this shard is already scheduled or running. */
    void schedule(Runnable flush) {
        if (flushScheduled.compareAndSet(false, true)) {
            BACKGROUND_FLUSHES.execute(() -> {
                try {
                    flush.run();
                } finally {
                    flushScheduled.set(false);
                }
            });
        }
    }
}
