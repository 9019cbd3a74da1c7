package io.meridian.storage.engine;

import io.meridian.common.error.StorageIoException;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.log.RecordFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The highest sequence applied per writer id, so that a writer retrying a batch after a timeout (or after
 * this node restarted) never double-counts: a batch whose sequence is not above the writer's last applied
 * one is acknowledged without being applied again.
 *
 * <p>Durability: the sequence travels inside the WAL record of its points (record type
 * POINTS_FROM_WRITER), so points and sequence survive or vanish together. Because flushes delete WAL
 * segments, a snapshot ({@code writers.state}, a {@link RecordFile} with magic {@code MRDWSEQ1} of
 * {@code WRITER(idLength:varint id:utf8 sequence:varint lastSeenMs:varint)} records) is rewritten at every
 * flush before the WAL is trimmed; replay takes the maximum of both. Writers not seen for
 * {@code retentionMs} are forgotten at the next snapshot.
 *
 * <p>Not thread-safe: guarded by the shard's write lock.
 */
final class WriterSequences {
    static final byte[] MAGIC = "MRDWSEQ1".getBytes(StandardCharsets.US_ASCII);
    static final String FILE_NAME = "writers.state";
    static final int RECORD_WRITER = 1;
    static final int MAX_WRITER_ID_BYTES = 256;

    /** Applied state of one writer; {@code ticket} is the WAL ticket of its last batch (not persisted). */
    static final class Entry {
        long sequence;
        long lastSeenMs;
        long ticket;

        Entry(long sequence, long lastSeenMs) {
            this.sequence = sequence;
            this.lastSeenMs = lastSeenMs;
        }
    }

    private final Path dir;
    private final Map<String, Entry> writers = new HashMap<>();

    private WriterSequences(Path dir) {
        this.dir = dir;
    }

    static WriterSequences open(Path dir) {
        WriterSequences w = new WriterSequences(dir);
        if (Files.exists(dir.resolve(FILE_NAME))) {
            RecordFile.open(dir.resolve(FILE_NAME), MAGIC, (type, in) -> {
                if (type != RECORD_WRITER) {
                    throw in.corrupt("unknown writer-state record type " + type);
                }
                String id = readId(in);
                w.advance(id, in.getVarLong(), in.getVarLong(), 0);
            }).close();
        }
        return w;
    }

    static String readId(ByteSource in) {
        byte[] b = new byte[in.getVarInt(MAX_WRITER_ID_BYTES, "writer id length")];
        in.getBytes(b, 0, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    static void writeId(String id, ByteSink out) {
        byte[] b = id.getBytes(StandardCharsets.UTF_8);
        out.putVarInt(b.length).put(b);
    }

    /** The entry of a writer whose last applied sequence is at least {@code sequence}, or null. */
    Entry duplicateOf(String writerId, long sequence) {
        Entry e = writers.get(writerId);
        return e != null && e.sequence >= sequence ? e : null;
    }

    /** Records that {@code sequence} of {@code writerId} was applied (takes the maximum). */
    void advance(String writerId, long sequence, long nowMs, long ticket) {
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

    long sequence(String writerId) {
        Entry e = writers.get(writerId);
        return e == null ? 0 : e.sequence;
    }

    /** A copy for a snapshot taken under the lock and written outside it. */
    Map<String, long[]> copy() {
        Map<String, long[]> m = new HashMap<>();
        writers.forEach((k, v) -> m.put(k, new long[] {v.sequence, v.lastSeenMs}));
        return m;
    }

    /** Atomically replaces {@code writers.state} with the given snapshot, dropping writers idle past retention. */
    static void writeSnapshot(Path dir, Map<String, long[]> snapshot, long nowMs, long retentionMs) {
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try (RecordFile f = RecordFile.open(tmp, MAGIC, (t, p) -> { })) {
                ByteSink s = new ByteSink(64);
                for (Map.Entry<String, long[]> e : snapshot.entrySet()) {
                    if (nowMs - e.getValue()[1] > retentionMs) {
                        continue;
                    }
                    s.clear();
                    writeId(e.getKey(), s);
                    s.putVarLong(e.getValue()[0]).putVarLong(e.getValue()[1]);
                    f.append(RECORD_WRITER, s);
                }
                f.sync();
            }
            Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StorageIoException("cannot write writer sequences [dir=" + dir + "]", e);
        }
    }

    Path dir() { return dir; }
}
