package io.meridian.storage.file;

import io.meridian.common.error.DiskFullException;
import io.meridian.common.error.StorageIoException;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free-space watermark of a storage node's data directory. Past it, writes are refused early with the
 * retriable {@link DiskFullException} (HTTP 507, naming the node's directory and the figures) instead of running
 * into ENOSPC half-way through a WAL record; compactions that lack headroom are postponed. It is a watermark, not a
 * state: when space returns, writes go through again by themselves. The free space is read at most every
 * {@link #RECHECK_MS} ms (one {@code statfs}).
 *
 * <p>Thread-safe.
 */
public final class DiskSpace {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpace.class);
    /** How long a reading of the free space is trusted. */
    public static final long RECHECK_MS = 200;

    private final String node;
    private final Path dir;
    private final long watermarkBytes;
    private final LongSupplier usableBytes;
    private final AtomicLong refused = new AtomicLong();
    private volatile long lastFree = Long.MAX_VALUE;
    private volatile long readAtNanos;
    private volatile boolean below;

    /**
     * @param node          the node the directory belongs to (named in the error)
     * @param totalBytes    size of the file system
     * @param usableBytes   reads the bytes this process may still write
     * @param minFreeRatio  the watermark as a fraction of the file system ({@code storage.disk.min-free-percent} / 100)
     * @param minFreeFloor  the watermark's floor in bytes ({@code storage.disk.min-free-floor})
     */
    public DiskSpace(
            String node, Path dir, long totalBytes, LongSupplier usableBytes, double minFreeRatio, long minFreeFloor) {
        this.node = node;
        this.dir = dir;
        this.usableBytes = usableBytes;
        this.watermarkBytes = Math.max((long) (totalBytes * minFreeRatio), minFreeFloor);
    }

    /** The watermark of the file system that holds {@code dir} (created when missing). */
    public static DiskSpace of(String node, Path dir, double minFreeRatio, long minFreeFloor) {
        try {
            Files.createDirectories(dir);
            FileStore store = Files.getFileStore(dir);
            return new DiskSpace(
                    node,
                    dir,
                    store.getTotalSpace(),
                    () -> {
                        try {
                            return store.getUsableSpace();
                        } catch (IOException e) {
                            throw new StorageIoException("cannot read the free space [dir=" + dir + "]", e);
                        }
                    },
                    minFreeRatio,
                    minFreeFloor);
        } catch (IOException e) {
            throw new StorageIoException("cannot read the file system of the data directory [dir=" + dir + "]", e);
        }
    }

    /** A watermark that never refuses (tests and tools that run no node). */
    public static DiskSpace unchecked(Path dir) {
        return new DiskSpace("-", dir, Long.MAX_VALUE, () -> Long.MAX_VALUE, 0, 0);
    }

    /** Free bytes as last read (re-read when older than {@link #RECHECK_MS}). */
    public long freeBytes() {
        long now = System.nanoTime();
        if (now - readAtNanos > TimeUnit.MILLISECONDS.toNanos(RECHECK_MS)) {
            lastFree = usableBytes.getAsLong();
            readAtNanos = now;
            boolean wasBelow = below;
            below = lastFree < watermarkBytes;
            if (below != wasBelow) {
                if (below) {
                    LOG.error(
                            "data directory is at its free-space watermark; refusing writes until space returns "
                                    + "[dir={}, freeBytes={}, watermarkBytes={}]",
                            dir,
                            lastFree,
                            watermarkBytes);
                } else {
                    LOG.warn(
                            "data directory has room again; taking writes [dir={}, freeBytes={}, watermarkBytes={}]",
                            dir,
                            lastFree,
                            watermarkBytes);
                }
            }
        }
        return lastFree;
    }

    public long watermarkBytes() {
        return watermarkBytes;
    }

    /** Writes refused so far. */
    public long refusedWrites() {
        return refused.get();
    }

    /**
     * @throws DiskFullException (retriable, HTTP 507) when the free space is below the watermark
     */
    public void checkWritable() {
        long free = freeBytes();
        if (free < watermarkBytes) {
            refused.incrementAndGet();
            throw new DiskFullException("disk full [node=" + node + ", dir=" + dir + ", freeBytes=" + free
                    + ", watermarkBytes=" + watermarkBytes + "]: writes resume by themselves once space returns (free "
                    + "space, or lower storage.disk.min-free-percent / min-free-floor); reads still work");
        }
    }

    /** Whether a job that writes up to {@code bytes} more (a compaction) still leaves the watermark free. */
    public boolean hasHeadroomFor(long bytes) {
        return freeBytes() - bytes >= watermarkBytes;
    }
}
