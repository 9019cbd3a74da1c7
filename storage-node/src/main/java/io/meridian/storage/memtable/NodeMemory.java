package io.meridian.storage.memtable;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The bound on the write memory of every shard a process holds ({@code storage.memtable.node-limit}): memtables
 * (active and frozen) and the points exactly-once writers staged and have not committed yet. Each shard's own bound
 * ({@code storage.memtable.size}) keeps one shard in check, this keeps their sum in check, so a node with many
 * shards, or a small heap, slows its writers down instead of running out of memory.
 *
 * <p>Every shard publishes its memtable and staged bytes after each write, stage, commit, abort and flush; the sum
 * is read without locks. While it is over the bound, the largest memtable is asked to flush, and a write or a
 * stage waits (up to a bound) for the sum to come down, then is refused with a retriable BUSY: an overloaded node
 * slows down, it never dies.
 *
 * <p>Staged points leave only when their transaction commits, after the writer's checkpoint, and a checkpoint
 * waits for the writer's stages: refusing a stage while nothing but staged points is left to free would hold the
 * checkpoint that frees them. So a write waits only while memtables hold something a flush can free; past that it
 * is let through, and staged memory is bounded by what writers stage between two checkpoints.
 *
 * <p>Thread-safe.
 */
public final class NodeMemory {
    /** One shard's view: what it holds, and how to ask it to flush. */
    interface Member {
        long memtableBytes();

        long stagedBytes();

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

    /** Bytes of points staged and not yet committed on every registered shard, as last published. */
    public long stagedBytes() {
        long sum = 0;
        for (Member m : members) {
            sum += m.stagedBytes();
        }
        return sum;
    }

    /** Memtable and staged bytes together: what the bound is on. */
    public long heldBytes() {
        long sum = 0;
        for (Member m : members) {
            sum += m.memtableBytes() + m.stagedBytes();
        }
        return sum;
    }

    public boolean overBound() {
        return memtableLimit != Long.MAX_VALUE && heldBytes() > memtableLimit;
    }

    /** Over the bound with memtable bytes a flush can free (else only commits can, and waiting holds them). */
    private boolean relievable() {
        return overBound() && memtableBytes() > 0;
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
     * Waits until the sum is within the bound, or nothing but staged points is left over it, at most
     * {@code maxWaitMs}, asking the largest shard to flush.
     *
     * @return whether a write may go on
     */
    boolean awaitWithinBound(long maxWaitMs) {
        if (!relievable()) {
            return true;
        }
        relieve();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        synchronized (released) {
            while (relievable()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    released.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return !relievable();
                }
            }
        }
        return true;
    }
}
