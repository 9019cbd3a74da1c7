package io.meridian.storage.txn;

import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The highest sequence applied per writer id, so that a writer retrying a batch after a timeout (or after
 * this node restarted) never double-counts: a batch whose sequence is not above the writer's last applied
 * one is acknowledged without being applied again.
 *
 * <p>Durability: the sequence travels inside the WAL record of its points (record type
 * POINTS_FROM_WRITER), so points and sequence survive or vanish together. Because flushes delete WAL
 * segments, every flush's MANIFEST edit carries the whole table as of its WAL checkpoint, atomically with
 * the checkpoint (see {@link Manifest}); on open the table starts from the MANIFEST and WAL replay after the
 * checkpoint advances it. Writers not seen for the retention are dropped from the next flush's table.
 *
 * <p>Not thread-safe: guarded by the shard's write lock.
 */
public final class WriterSequences {
    public static final int MAX_WRITER_ID_BYTES = 256;
    /** Namespace of committed transaction ids in this table (apart from batch sequences). */
    public static final String TXN_PREFIX = "txn/";

    /** Applied state of one writer; {@code ticket} is the WAL ticket of its last batch (not persisted). */
    public static final class Entry {
        long sequence;
        long lastSeenMs;
        public long ticket;

        Entry(long sequence, long lastSeenMs) {
            this.sequence = sequence;
            this.lastSeenMs = lastSeenMs;
        }
    }

    private final Map<String, Entry> writers = new HashMap<>();

    /** Starts from the table recorded with the MANIFEST's WAL checkpoint. */
    public static WriterSequences fromManifest(Map<String, long[]> table) {
        WriterSequences w = new WriterSequences();
        table.forEach((id, v) -> w.advance(id, v[0], v[1], 0));
        return w;
    }

    public static String readId(ByteSource in) {
        byte[] b = new byte[in.getVarInt(MAX_WRITER_ID_BYTES, "writer id length")];
        in.getBytes(b, 0, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    public static void writeId(String id, ByteSink out) {
        byte[] b = id.getBytes(StandardCharsets.UTF_8);
        out.putVarInt(b.length).put(b);
    }

    /** The entry of a writer whose last applied sequence is at least {@code sequence}, or null. */
    public Entry duplicateOf(String writerId, long sequence) {
        Entry e = writers.get(writerId);
        return e != null && e.sequence >= sequence ? e : null;
    }

    /** Records that {@code sequence} of {@code writerId} was applied (takes the maximum). */
    public void advance(String writerId, long sequence, long nowMs, long ticket) {
        Entry e = writers.get(writerId);
        if (e == null) {
            writers.put(writerId, new Entry(sequence, nowMs));
            writers.get(writerId).ticket = ticket;
        } else if (sequence > e.sequence) {
            e.sequence = sequence;
            e.lastSeenMs = Math.max(e.lastSeenMs, nowMs);
            e.ticket = ticket;
        }
    }

    public long sequence(String writerId) {
        Entry e = writers.get(writerId);
        return e == null ? 0 : e.sequence;
    }

    /** The table to record with a flush's checkpoint, without writers idle for longer than {@code retentionMs}. */
    public Map<String, long[]> snapshot(long nowMs, long retentionMs) {
        Map<String, long[]> m = new HashMap<>();
        writers.forEach((k, v) -> {
            if (nowMs - v.lastSeenMs <= retentionMs) {
                m.put(k, new long[] {v.sequence, v.lastSeenMs});
            }
        });
        return m;
    }
}
