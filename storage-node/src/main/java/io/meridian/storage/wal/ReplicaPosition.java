package io.meridian.storage.wal;

import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Where a replica stands in its shard's replica log: the last log sequence number (LSN) it holds, the epoch
 * that operation was written in, and the epoch history (the first LSN written in each recent epoch, Kafka's
 * leader-epoch cache). The history lets a leader tell a returning replica where its log diverged: ops of an
 * old epoch beyond the point where the next epoch began were never acknowledged and must be truncated.
 *
 * <p>Persisted in the WAL (an LSN_MARK before every replicated op) and, at every flush, in the MANIFEST edit
 * that moves the WAL checkpoint (FORMAT.md in the log package: {@code replica} section).
 *
 * <p>Not thread-safe: guarded by the shard's write lock (reads of the volatile LSN are lock-free).
 */
public final class ReplicaPosition {
    /** Epochs kept in the history; older divergence points are resolved by a full re-sync. */
    static final int MAX_HISTORY = 32;

    private volatile long lastLsn;
    private long lastEpoch;
    private final NavigableMap<Long, Long> epochStarts = new TreeMap<>();

    /** The last LSN held (0 for an empty log). */
    public long lastLsn() {
        return lastLsn;
    }

    /** The epoch of the op at {@link #lastLsn()} (0 for an empty log). */
    public long lastEpoch() {
        return lastEpoch;
    }

    /** Records that the op {@code lsn} of {@code epoch} is now held. */
    public void advance(long lsn, long epoch) {
        if (lsn != lastLsn + 1) {
            throw new IllegalStateException("BUG: replica log gap [last=" + lastLsn + ", next=" + lsn + "]");
        }
        if (epoch < lastEpoch) {
            throw new IllegalStateException(
                    "BUG: replica log epoch went back [last=" + lastEpoch + ", next=" + epoch + "]");
        }
        if (epoch > lastEpoch) {
            epochStarts.put(epoch, lsn);
            while (epochStarts.size() > MAX_HISTORY) {
                epochStarts.pollFirstEntry();
            }
        }
        lastEpoch = epoch;
        lastLsn = lsn;
    }

    /**
     * The last LSN of this log that belongs to epoch {@code epoch} or earlier: a replica whose last op is of
     * {@code epoch} and beyond this LSN holds a tail this log never had. (With more than
     * {@value #MAX_HISTORY} epochs since, the answer is the start of the oldest epoch kept: conservative.)
     */
    public long endOfEpoch(long epoch) {
        Map.Entry<Long, Long> next = epochStarts.higherEntry(epoch);
        return next == null ? lastLsn : next.getValue() - 1;
    }

    /** Back to {@code lsn} after a truncation (epochs that began after it are forgotten). */
    void truncateTo(long lsn, long epochOfLsn) {
        epochStarts.tailMap(epochOfLsn, false).clear();
        if (lsn == 0) {
            epochStarts.clear();
        }
        lastLsn = lsn;
        lastEpoch = lsn == 0 ? 0 : epochOfLsn;
    }

    public ReplicaPosition copy() {
        ReplicaPosition p = new ReplicaPosition();
        p.lastLsn = lastLsn;
        p.lastEpoch = lastEpoch;
        p.epochStarts.putAll(epochStarts);
        return p;
    }

    /** {@code lastLsn:varint lastEpoch:varint count:varint (epoch:varint firstLsn:varint)*}. */
    public void encode(ByteSink out) {
        out.putVarLong(lastLsn).putVarLong(lastEpoch).putVarInt(epochStarts.size());
        epochStarts.forEach((e, l) -> out.putVarLong(e).putVarLong(l));
    }

    public static ReplicaPosition decode(ByteSource in) {
        ReplicaPosition p = new ReplicaPosition();
        p.lastLsn = in.getVarLong();
        p.lastEpoch = in.getVarLong();
        int n = in.getVarInt(MAX_HISTORY, "epoch history length");
        for (int i = 0; i < n; i++) {
            p.epochStarts.put(in.getVarLong(), in.getVarLong());
        }
        return p;
    }

    @Override
    public String toString() {
        return "ReplicaPosition[lsn=" + lastLsn + ", epoch=" + lastEpoch + ", epochStarts=" + epochStarts + "]";
    }
}
