package io.meridian.storage.memtable;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A shard's in-memory points: the active memtable that writes go into and the frozen ones that flushes are
 * writing out (still read by queries until their parts are published).
 *
 * <p>Not thread-safe: mutated under the shard's write lock, read under its read lock (the flush trigger
 * reads {@link #activeBytes} without it, as a hint).
 */
public final class MemTables {
    private final List<MemTable> frozen = new ArrayList<>();
    /** The base interval: memtables track their rows ({@link MemTable#rows}) in its slots. */
    private final long baseIntervalMs;

    private MemTable active;
    /** Clock time of the first point in the active memtable. */
    private long activeCreatedMs;

    public MemTables(long baseIntervalMs) {
        this.baseIntervalMs = baseIntervalMs;
        this.active = new MemTable(baseIntervalMs);
    }

    /** The memtable that writes go into. */
    public MemTable active() {
        return active;
    }

    /** Records the clock's time as the active memtable's creation time when it holds no point yet. */
    void startIfEmpty(Clock clock) {
        if (active.isEmpty()) {
            activeCreatedMs = clock.millis();
        }
    }

    /** Freezes the active memtable for a flush and starts a fresh one; returns the frozen one. */
    public MemTable freeze() {
        MemTable toFlush = active;
        active = new MemTable(baseIntervalMs);
        frozen.add(toFlush);
        return toFlush;
    }

    /** Drops a frozen memtable once its parts are published. */
    public void release(MemTable flushed) {
        frozen.remove(flushed);
    }

    /** Whether a flush is writing out a frozen memtable. */
    boolean flushing() {
        return !frozen.isEmpty();
    }

    /** Frozen memtables first, then the active one: what a query reads. */
    public List<MemTable> all() {
        List<MemTable> mems = new ArrayList<>(frozen);
        mems.add(active);
        return mems;
    }

    /** Points in all the memtables. */
    public long points() {
        long points = active.points();
        for (MemTable m : frozen) {
            points += m.points();
        }
        return points;
    }

    /** Bytes held by all the memtables. */
    public long bytes() {
        long bytes = active.bytes();
        for (MemTable m : frozen) {
            bytes += m.bytes();
        }
        return bytes;
    }

    /** Milliseconds since the active memtable's first point at {@code nowMs}; 0 when it is empty. */
    public long activeAgeMillis(long nowMs) {
        return active.isEmpty() ? 0 : nowMs - activeCreatedMs;
    }
}
