package io.meridian.storage.memtable;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The bound on memtable bytes of every shard a process holds ({@code storage.memtable.node-limit}): each shard's
 * own bound ({@code storage.memtable.size}) keeps one shard in check, this keeps their sum in check, so a node
 * with many shards, or a small heap, slows its writers down instead of running out of memory.
 *
 * <p>Every shard publishes its memtable bytes (active and frozen) after each write and flush; the sum is read
 * without locks. While it is over the bound, the largest shard is asked to flush, and a write waits (up to a
 * bound) for the sum to come down, then is refused with a retriable BUSY: an overloaded node slows down, it
 * never dies.
 *
 * <p>Thread-safe.
 */
public final class NodeMemory {
    /** One shard's view: what it holds, and how to ask it to flush. */
    interface Member {
        long memtableBytes();

        void requestFlush();
    }

    private final long memtableLimit;
    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final Object released = new Object();

    /** @param memtableLimit bytes of memtables all shards together may hold */
    public NodeMemory(long memtableLimit) {
        if (memtableLimit <= 0) {
            throw new IllegalArgumentException("memtableLimit must be positive: " + memtableLimit);
        }
        this.memtableLimit = memtableLimit;
    }

    /** No node-wide bound (a shard used as a library, tests): only each shard's own. */
    public static NodeMemory unbounded() {
        return new NodeMemory(Long.MAX_VALUE);
    }

    public long memtableLimit() {
        return memtableLimit;
    }

    void register(Member m) {
        members.add(m);
    }

    void unregister(Member m) {
        members.remove(m);
        memtablesShrank();
    }

    /** Memtable bytes of every registered shard, as last published. */
    public long memtableBytes() {
        long sum = 0;
        for (Member m : members) {
            sum += m.memtableBytes();
        }
        return sum;
    }

    public boolean overBound() {
        return memtableLimit != Long.MAX_VALUE && memtableBytes() > memtableLimit;
    }

    /** Asks the shard holding the most to flush (a no-op when it already flushes). */
    void relieve() {
        Member largest = null;
        for (Member m : members) {
            if (largest == null || m.memtableBytes() > largest.memtableBytes()) {
                largest = m;
            }
        }
        if (largest != null && largest.memtableBytes() > 0) {
            largest.requestFlush();
        }
    }

    /** Called by a shard whose memtables shrank (a flush finished): wakes writers waiting for memory. */
    void memtablesShrank() {
        synchronized (released) {
            released.notifyAll();
        }
    }

    /**
     * Waits until the sum is within the bound, at most {@code maxWaitMs}, asking the largest shard to flush.
     *
     * @return whether it is within the bound
     */
    boolean awaitWithinBound(long maxWaitMs) {
        if (!overBound()) {
            return true;
        }
        relieve();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        synchronized (released) {
            while (overBound()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    released.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return !overBound();
                }
            }
        }
        return true;
    }
}
