package io.meridian.storage.txn;

import io.meridian.common.model.AggState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Points (or partial aggregates) staged by exactly-once writers (a Flink sink's two-phase commit): each (writer, transaction) holds
 * resolved points that are durable in the WAL but invisible to queries until the transaction commits, and
 * dropped when it aborts. Staged points that are still pending when a flush trims the WAL are logged again
 * into the new WAL segment, so they survive flushes as well as crashes.
 *
 * <p>Not thread-safe: guarded by the shard's write lock.
 */
public final class StagedTransactions {
    /** What a transaction staged for one series, already resolved to ids: points or partial aggregates. */
    public sealed interface Staged permits Points, Partials {
        int seriesId();

        /** Heap bytes it holds (an estimate, for the shard's memory accounting). */
        long heapBytes();
    }

    /** Points of one series; {@code values} row-major, NaN = no value. */
    public record Points(int seriesId, int[] fieldIds, long[] ts, double[] values) implements Staged {
        @Override
        public long heapBytes() {
            return 16L * ts.length + 8L * values.length + 64;
        }
    }

    /**
     * Partial aggregates of one series on slots of {@code intervalMs} (the base interval); {@code cells} row-major
     * (slots x fields), null = no value.
     */
    public record Partials(int seriesId, int[] fieldIds, long intervalMs, long[] slotStarts, AggState[] cells)
            implements Staged {
        @Override
        public long heapBytes() {
            return 8L * slotStarts.length + 120L * cells.length + 64;
        }
    }

    public record Key(String writerId, long transactionId) {}

    private final Map<Key, List<Staged>> pending = new LinkedHashMap<>();
    /** When each pending transaction first staged here (for a replayed one: when it was replayed). */
    private final Map<Key, Long> stagedAtMs = new HashMap<>();

    private final Clock clock;
    private long heapBytes;

    public StagedTransactions(Clock clock) {
        this.clock = clock;
    }

    public void add(String writerId, long transactionId, List<? extends Staged> points) {
        Key key = new Key(writerId, transactionId);
        pending.computeIfAbsent(key, k -> new ArrayList<>()).addAll(points);
        stagedAtMs.putIfAbsent(key, clock.millis());
        for (Staged p : points) {
            heapBytes += p.heapBytes();
        }
    }

    /** Removes and returns the points of a transaction (empty when none were staged). */
    public List<Staged> remove(String writerId, long transactionId) {
        stagedAtMs.remove(new Key(writerId, transactionId));
        List<Staged> points = pending.remove(new Key(writerId, transactionId));
        if (points == null) {
            return List.of();
        }
        for (Staged p : points) {
            heapBytes -= p.heapBytes();
        }
        return points;
    }

    /**
     * Drops every transaction of {@code writerId} below {@code transactionId}: once a writer committed a
     * transaction, a lower one can never commit (commits go in increasing order), so what it staged is the
     * leftover of a failed attempt (e.g. a Flink task that staged, then died before its checkpoint completed).
     *
     * @return the transactions dropped
     */
    public int removeBelow(String writerId, long transactionId) {
        int dropped = 0;
        var it = pending.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getKey().writerId().equals(writerId) && e.getKey().transactionId() < transactionId) {
                for (Staged p : e.getValue()) {
                    heapBytes -= p.heapBytes();
                }
                it.remove();
                stagedAtMs.remove(e.getKey());
                dropped++;
            }
        }
        return dropped;
    }

    public Map<Key, List<Staged>> pending() {
        return pending;
    }

    /** Pending transactions that first staged more than {@code maxAgeMs} ago, oldest first. */
    public List<Key> olderThan(long maxAgeMs) {
        long cutoff = clock.millis() - maxAgeMs;
        List<Key> out = new ArrayList<>();
        for (Key k : pending.keySet()) {
            if (stagedAtMs.getOrDefault(k, Long.MAX_VALUE) < cutoff) {
                out.add(k);
            }
        }
        return out;
    }

    /** Milliseconds since a pending transaction first staged (0 when unknown). */
    public long ageMs(Key key) {
        Long at = stagedAtMs.get(key);
        return at == null ? 0 : clock.millis() - at;
    }

    public int transactions() {
        return pending.size();
    }

    /** Heap bytes of every pending transaction's points (an estimate). */
    public long heapBytes() {
        return heapBytes;
    }
}
