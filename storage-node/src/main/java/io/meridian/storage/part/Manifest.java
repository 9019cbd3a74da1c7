package io.meridian.storage.part;

import io.meridian.common.error.StorageIoException;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.log.RecordFile;
import io.meridian.storage.shard.ShardFiles;
import io.meridian.storage.txn.WriterSequences;
import io.meridian.storage.wal.ReplicaPosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shard's MANIFEST: which part files are live and up to which WAL segment the parts cover. Every
 * flush, compaction and retention drop is one EDIT record appended and fsynced, so each takes effect
 * atomically: after a crash, parts not named here are orphans (moved to {@code quarantine/}), and WAL segments below
 * the checkpoint are not replayed (their points are in the parts). A {@link RecordFile} with magic
 * {@code MRDMANI1}:
 *
 * <pre>
 * EDIT := walCheckpoint:varint (0 = unchanged) added:varint path* removed:varint path* [writers]
 * path := length:varint utf8 (relative to the shard directory)
 * writers := count:varint (idLength:varint id:utf8 sequence:varint lastSeenMs:varint)* [replica]
 *            (optional; present in flush edits: the whole de-duplication table as of the checkpoint)
 * replica := lastLsn:varint lastEpoch:varint count:varint (epoch:varint firstLsn:varint)*
 *            (optional, after writers; the replica-log position as of the checkpoint, see ReplicaPosition)
 * </pre>
 *
 * <p>The writers table travels in the same record as the checkpoint on purpose: WAL segments before the
 * checkpoint are no longer replayed, so the table must describe exactly what they held. Had it been written
 * to a file of its own, a crash between the two writes would either skip replaying points whose sequence
 * the table already knew (loss) or forget sequences whose WAL is gone (double count).
 *
 * The file is rewritten as a single EDIT (snapshot) each time the shard opens (written whole, fsynced, renamed
 * into place, directory fsynced). On open, a torn last edit (a crash while appending it) is cut off; damage
 * anywhere else, the snapshot record included, stops the open with the file and offset and changes nothing:
 * dropping an edit in the middle would forget parts that hold acknowledged data. Not thread-safe: the shard
 * serializes edits.
 */
public final class Manifest implements AutoCloseable {
    static final byte[] MAGIC = "MRDMANI1".getBytes(StandardCharsets.US_ASCII);
    public static final String FILE_NAME = ShardFiles.MANIFEST;
    static final int RECORD_EDIT = 1;
    private static final int MAX_PATH_BYTES = 4096;

    private final FileIo io;
    private final Path dir;
    private final Set<String> live = new LinkedHashSet<>();
    private Map<String, long[]> writers = new HashMap<>();
    private long walCheckpoint;
    private ReplicaPosition replica = new ReplicaPosition();
    private RecordFile file;

    private Manifest(FileIo io, Path dir) {
        this.io = io;
        this.dir = dir;
    }

    public static Manifest open(Path dir) {
        return open(FileIo.NIO, dir);
    }

    public static Manifest open(FileIo io, Path dir) {
        Manifest m = new Manifest(io, dir);
        RecordFile.open(
                        io,
                        dir.resolve(FILE_NAME),
                        MAGIC,
                        RecordFile.TailRecovery.TRUNCATE_TORN_TAIL_AFTER_FIRST,
                        (type, in) -> m.apply(type, in))
                .close();
        return m;
    }

    /**
     * Rewrites the file as one snapshot EDIT and opens it for edits; called once the whole shard opened, so that a
     * shard that refuses to open (damage found in another file) leaves its MANIFEST exactly as it was.
     */
    public void startEditing() {
        snapshot();
    }

    private void apply(int type, ByteSource in) {
        if (type != RECORD_EDIT) {
            throw in.corrupt("unknown manifest record type " + type);
        }
        long cp = in.getVarLong();
        if (cp > 0) {
            walCheckpoint = cp;
        }
        int added = in.getVarInt(1 << 24, "added count");
        for (int i = 0; i < added; i++) {
            live.add(readPath(in));
        }
        int removed = in.getVarInt(1 << 24, "removed count");
        for (int i = 0; i < removed; i++) {
            live.remove(readPath(in));
        }
        if (in.hasRemaining()) {
            int count = in.getVarInt(1 << 24, "writer count");
            Map<String, long[]> table = new HashMap<>();
            for (int i = 0; i < count; i++) {
                String id = WriterSequences.readId(in);
                table.put(id, new long[] {in.getVarLong(), in.getVarLong()});
            }
            writers = table;
            if (in.hasRemaining()) {
                replica = ReplicaPosition.decode(in);
            }
        }
    }

    private static String readPath(ByteSource in) {
        byte[] b = new byte[in.getVarInt(MAX_PATH_BYTES, "path length")];
        in.getBytes(b, 0, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static ByteSink encode(
            long walCheckpoint,
            Collection<String> added,
            Collection<String> removed,
            Map<String, long[]> writers,
            ReplicaPosition replica) {
        ByteSink s = new ByteSink(256);
        s.putVarLong(walCheckpoint).putVarInt(added.size());
        for (String p : added) {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            s.putVarInt(b.length).put(b);
        }
        s.putVarInt(removed.size());
        for (String p : removed) {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            s.putVarInt(b.length).put(b);
        }
        if (writers != null) {
            s.putVarInt(writers.size());
            for (Map.Entry<String, long[]> e : writers.entrySet()) {
                WriterSequences.writeId(e.getKey(), s);
                s.putVarLong(e.getValue()[0]).putVarLong(e.getValue()[1]);
            }
            if (replica != null && replica.lastLsn() > 0) {
                replica.encode(s);
            }
        }
        return s;
    }

    /** Rewrites the manifest as one EDIT holding the current state (atomic rename, directory fsynced). */
    private void snapshot() {
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        try {
            io.delete(tmp);
            try (RecordFile f =
                    RecordFile.open(io, tmp, MAGIC, RecordFile.TailRecovery.TRUNCATE_TORN_TAIL, (t, p) -> {})) {
                f.append(RECORD_EDIT, encode(walCheckpoint, live, List.of(), writers, replica));
                f.sync();
            }
            io.moveDurably(tmp, dir.resolve(FILE_NAME));
        } catch (IOException e) {
            throw new StorageIoException("cannot rewrite manifest [dir=" + dir + "]", e);
        }
        file = RecordFile.open(
                io,
                dir.resolve(FILE_NAME),
                MAGIC,
                RecordFile.TailRecovery.TRUNCATE_TORN_TAIL_AFTER_FIRST,
                (t, p) -> {});
    }

    /** Applies and durably records one edit that leaves the writers table as it is. */
    void edit(long newWalCheckpoint, Collection<String> added, Collection<String> removed) {
        edit(newWalCheckpoint, added, removed, null, null);
    }

    /**
     * Applies and durably records one edit; {@code newWriters} (when not null) replaces the writers table
     * and {@code newReplica} the replica-log position, atomically with the checkpoint.
     */
    void edit(
            long newWalCheckpoint,
            Collection<String> added,
            Collection<String> removed,
            Map<String, long[]> newWriters,
            ReplicaPosition newReplica) {
        if (file == null) {
            throw new IllegalStateException("MANIFEST edited before the shard finished opening [dir=" + dir + "]");
        }
        file.append(RECORD_EDIT, encode(newWalCheckpoint, added, removed, newWriters, newReplica));
        try {
            file.sync();
        } catch (StorageIoException e) {
            // the edit may be partly on disk: cut back to the last good edit; the manifest takes no edit again
            file.abandon(file.forcedBytes());
            throw e;
        }
        if (newWriters != null) {
            writers = new HashMap<>(newWriters);
            if (newReplica != null && newReplica.lastLsn() > 0) {
                replica = newReplica.copy();
            }
        }
        if (newWalCheckpoint > 0) {
            walCheckpoint = newWalCheckpoint;
        }
        live.addAll(added);
        live.removeAll(removed);
    }

    public Set<String> liveParts() {
        return Set.copyOf(live);
    }

    /** The de-duplication table as of the WAL checkpoint: writer id -> {sequence, lastSeenMs}. */
    public Map<String, long[]> writers() {
        return Map.copyOf(writers);
    }

    public long walCheckpoint() {
        return walCheckpoint;
    }

    /** The replica-log position as of the WAL checkpoint (a copy). */
    public ReplicaPosition replica() {
        return replica.copy();
    }

    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }
}
