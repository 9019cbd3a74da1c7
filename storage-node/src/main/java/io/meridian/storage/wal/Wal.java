package io.meridian.storage.wal;

import io.meridian.common.error.StorageIoException;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.file.FsyncMode;
import io.meridian.storage.log.RecordFile;
import io.meridian.storage.log.RecordFileFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard's write-ahead log: numbered segment files ({@code 000000000001.wal}) of checksummed records.
 *
 * <p>Group commit: {@link #append} buffers a record and returns its ticket; {@link #commit} makes every
 * record up to the ticket durable per the {@link FsyncMode}. The first waiting thread becomes the leader,
 * hands the buffer to the OS under the lock and fsyncs outside it, so concurrent writers share one fsync.
 *
 * <p>A memtable flush calls {@link #rotate()} and, once the flushed parts are durable,
 * {@link #deleteBefore(long)} to drop the segments they cover. Thread-safe.
 */
public final class Wal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Wal.class);
    public static final byte[] MAGIC = "MRDWAL01".getBytes(StandardCharsets.US_ASCII);
    public static final String SUFFIX = ".wal";

    private final FileIo io;
    private final Path dir;
    private final FsyncMode fsync;
    private final long segmentBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition durableChanged = lock.newCondition();
    private RecordFile current;
    private long currentSeq;
    private long appended;
    /** Bytes of the records appended since open, headers included (written under the lock). */
    private volatile long bytesAppended;

    private long durable;
    private boolean leaderActive;
    /** The first write, fsync or rotation failure; once set, nothing is appended or acknowledged again. */
    private volatile StorageIoException failure;

    private Wal(FileIo io, Path dir, FsyncMode fsync, long segmentBytes, RecordFile current, long currentSeq) {
        this.io = io;
        this.dir = dir;
        this.fsync = fsync;
        this.segmentBytes = segmentBytes;
        this.current = current;
        this.currentSeq = currentSeq;
    }

    /**
     * Replays every segment from {@code replayFrom} on, in order, through {@code visitor} (truncating a torn
     * tail of the last one) and opens a fresh segment for appends. Older segments (already in parts, kept for
     * followers still fetching them) are left alone.
     */
    public static Wal open(
            Path dir, FsyncMode fsync, long segmentBytes, long replayFrom, RecordFile.RecordVisitor visitor) {
        return open(FileIo.NIO, dir, fsync, segmentBytes, replayFrom, visitor);
    }

    /**
     * {@link #open(Path, FsyncMode, long, long, RecordFile.RecordVisitor)} through {@code io}. Only the newest
     * segment may end in a torn tail (it is cut off); damage anywhere else, or in an older segment, stops the open
     * with {@link io.meridian.common.error.CorruptDataException} naming the file and offset, and changes nothing.
     */
    public static Wal open(
            FileIo io,
            Path dir,
            FsyncMode fsync,
            long segmentBytes,
            long replayFrom,
            RecordFile.RecordVisitor visitor) {
        List<Long> seqs = segments(dir);
        long newest = seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1);
        for (long seq : seqs) {
            if (seq >= replayFrom) {
                RecordFile.open(
                                io,
                                segmentPath(dir, seq),
                                MAGIC,
                                seq == newest
                                        ? RecordFile.TailRecovery.TRUNCATE_TORN_TAIL
                                        : RecordFile.TailRecovery.REQUIRE_COMPLETE,
                                visitor)
                        .close();
            }
        }
        long next = newest + 1;
        return new Wal(io, dir, fsync, segmentBytes, openSegment(io, dir, next), next);
    }

    private static RecordFile openSegment(FileIo io, Path dir, long seq) {
        return RecordFile.open(
                io, segmentPath(dir, seq), MAGIC, RecordFile.TailRecovery.TRUNCATE_TORN_TAIL, (t, p) -> {});
    }

    /** The file of segment {@code seq}. */
    public static Path segmentPath(Path dir, long seq) {
        return dir.resolve(String.format("%012d%s", seq, SUFFIX));
    }

    /** Sequences of the segments on disk, ascending. */
    public static List<Long> segments(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SUFFIX))
                    .forEach(n -> out.add(Long.parseLong(n.substring(0, n.length() - SUFFIX.length()))));
        } catch (IOException e) {
            throw new StorageIoException("cannot list WAL [dir=" + dir + "]", e);
        }
        out.sort(null);
        return out;
    }

    /** Buffers one record; returns the ticket to pass to {@link #commit}. */
    public long append(int type, ByteSink payload) {
        lock.lock();
        try {
            checkUsable();
            current.append(type, payload);
            bytesAppended += RecordFileFormat.RECORD_HEADER_LENGTH + 1 + payload.size(); // + the type byte
            return ++appended;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of the records appended since this WAL was opened (payloads and record headers): write traffic. */
    public long bytesAppended() {
        return bytesAppended;
    }

    /** Returns once every record up to {@code ticket} is durable per the fsync mode. */
    public void commit(long ticket) {
        lock.lock();
        try {
            while (durable < ticket) {
                checkUsable();
                if (leaderActive) {
                    durableChanged.awaitUninterruptibly();
                    continue;
                }
                leaderActive = true;
                long target = appended;
                RecordFile file = current;
                boolean ok = false;
                try {
                    file.write();
                    if (fsync == FsyncMode.ALWAYS) {
                        lock.unlock();
                        try {
                            file.force();
                        } finally {
                            lock.lock();
                        }
                    }
                    ok = true;
                } catch (StorageIoException e) {
                    fail(e);
                    throw e;
                } finally {
                    leaderActive = false;
                    if (ok) {
                        durable = Math.max(durable, target);
                    }
                    durableChanged.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Fsyncs everything written so far (the INTERVAL mode's background tick). */
    public void sync() {
        lock.lock();
        try {
            while (leaderActive) {
                durableChanged.awaitUninterruptibly();
            }
            checkUsable();
            try {
                current.sync();
            } catch (StorageIoException e) {
                fail(e);
                throw e;
            }
            durable = appended;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fail-stop after a failed write, fsync or rotation (PostgreSQL and etcd do the same): the current segment is cut
     * back to what was acknowledged (what was fsynced in {@link FsyncMode#ALWAYS} mode, what was written otherwise),
     * so that the partial bytes of the failed write are never replayed, and every later append and commit fails.
     * Waiting committers wake up and fail too: nothing after the fault is acknowledged. Caller holds the lock.
     */
    private void fail(StorageIoException e) {
        if (failure != null) {
            return;
        }
        failure = e;
        long keep = fsync == FsyncMode.ALWAYS ? current.forcedBytes() : current.writtenBytes();
        LOG.error(
                "WAL failed; the shard stops taking writes until it is reopened [dir={}, segment={}, keepBytes={}]",
                dir,
                currentSeq,
                keep,
                e);
        current.abandon(keep);
        durableChanged.signalAll();
    }

    private void checkUsable() {
        StorageIoException f = failure;
        if (f != null) {
            throw new StorageIoException(
                    "WAL stopped after an I/O failure [dir=" + dir + ", segment=" + currentSeq + "]: " + f.getMessage(),
                    f.getCause() instanceof IOException io ? io : new IOException(f.getMessage()));
        }
    }

    /** Starts a new segment; returns the sequence of the first segment that is not covered by older data. */
    public long rotate() {
        lock.lock();
        try {
            while (leaderActive) {
                durableChanged.awaitUninterruptibly();
            }
            checkUsable();
            try {
                current.sync(); // before close: a failed fsync leaves the file open to be cut back
                current.close();
                durable = appended;
                RecordFile next = openSegment(io, dir, currentSeq + 1);
                currentSeq++;
                current = next;
            } catch (StorageIoException e) {
                fail(e);
                throw e;
            }
            return currentSeq;
        } finally {
            lock.unlock();
        }
    }

    /** Rotates when the current segment is larger than the configured segment size. */
    public boolean rotateIfFull() {
        lock.lock();
        try {
            if (failure != null || current.size() < segmentBytes) {
                return false;
            }
            rotate();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The segment appends go to. */
    public long currentSegment() {
        lock.lock();
        try {
            return currentSeq;
        } finally {
            lock.unlock();
        }
    }

    /** Hands buffered records to the OS without waiting for an fsync (replication reads what is written). */
    public void writeBuffered() {
        lock.lock();
        try {
            if (!leaderActive && failure == null) {
                try {
                    current.write();
                } catch (StorageIoException e) {
                    fail(e);
                    throw e;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Deletes every segment with a sequence lower than {@code seq}. */
    public void deleteBefore(long seq) {
        for (long s : segments(dir)) {
            if (s < seq) {
                try {
                    io.delete(segmentPath(dir, s));
                    io.delete(segmentPath(dir, s)
                            .resolveSibling(segmentPath(dir, s).getFileName() + RecordFile.TORN_SUFFIX));
                } catch (IOException e) {
                    throw new StorageIoException("cannot delete WAL segment [segment=" + s + "]", e);
                }
                LOG.debug("deleted WAL segment [dir={}, segment={}]", dir, s);
            }
        }
    }

    /** Bytes in all segments on disk. */
    public long diskBytes() {
        long total = 0;
        for (long s : segments(dir)) {
            try {
                total += Files.size(segmentPath(dir, s));
            } catch (IOException e) {
                throw new StorageIoException("cannot stat WAL segment [segment=" + s + "]", e);
            }
        }
        return total;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (failure != null) {
                return; // abandoned when it failed
            }
            current.close();
        } finally {
            lock.unlock();
        }
    }
}
