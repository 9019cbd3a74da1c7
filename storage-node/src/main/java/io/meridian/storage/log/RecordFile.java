package io.meridian.storage.log;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.FormatVersionException;
import io.meridian.common.error.StorageIoException;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.file.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of checksummed records. Opening scans every record and hands each valid one to the
 * caller. What it does with an invalid record depends on where it is ({@link TailRecovery}):
 * <ul>
 *   <li>a <em>torn tail</em> (an invalid record with no valid record anywhere after it: cut short, a bad checksum
 *       on the last record, zeros the file system extended the file with) is what a crash leaves while appending:
 *       in the file appends go to, it is truncated (nothing before it was lost); in a file that was closed
 *       ({@link TailRecovery#REQUIRE_COMPLETE}) it is damage;</li>
 *   <li>anything else (a bad record with more bytes after it) is damage: the file is left exactly as it is and
 *       {@link CorruptDataException} names the file and the offset. Recovery never cuts a log in the middle: that
 *       would silently drop every record after the damage.</li>
 * </ul>
 *
 * <p>Appends go to an in-memory buffer; {@link #write()} hands it to the OS and {@link #sync()} fsyncs. Every
 * change goes through a {@link FileIo}. After a failed write or fsync the file is unusable ({@link #abandon}).
 * Not thread-safe: the owner (WAL, dictionary) serializes access.
 */
public final class RecordFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecordFile.class);

    /** Receives each valid record while a file is opened. */
    @FunctionalInterface
    public interface RecordVisitor {
        void visit(int type, ByteSource payload);
    }

    /** What opening does with an invalid record at the end of the file. */
    public enum TailRecovery {
        /** The file appends go to: a torn tail is cut off (with a warning); damage before it is an error. */
        TRUNCATE_TORN_TAIL,
        /**
         * A file whose first record was written whole before the file was renamed into place (the MANIFEST: its
         * snapshot): a torn tail after it is cut off; an invalid first record is damage.
         */
        TRUNCATE_TORN_TAIL_AFTER_FIRST,
        /** A file that was closed complete (an older WAL segment): any invalid record is damage. */
        REQUIRE_COMPLETE
    }

    /** Suffix of the copy of a cut-off torn tail, beside its file. */
    public static final String TORN_SUFFIX = ".torn";

    /** Buffer capacity kept between writes; a larger batch allocates temporarily. */
    private static final int PENDING_RETAINED_BYTES = 1 << 16;

    private final Path path;
    private final FileChannel channel;
    private final ByteSink pending = new ByteSink(4096);
    private final CRC32C crc = new CRC32C();
    /** Bytes handed to the OS. */
    private long size;
    /** Bytes known to be on disk (the size at the last successful fsync). */
    private volatile long forced;

    private boolean abandoned;

    private RecordFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.forced = size;
    }

    /** Opens (creating if absent) and replays the file through plain NIO, truncating a torn tail. */
    public static RecordFile open(Path path, byte[] magic, RecordVisitor visitor) {
        return open(FileIo.NIO, path, magic, TailRecovery.TRUNCATE_TORN_TAIL, visitor);
    }

    /**
     * Opens (creating if absent, with its directory) and replays the file.
     *
     * @throws CorruptDataException naming the file and offset when a record other than a torn tail is invalid (or
     *                              any invalid record with {@link TailRecovery#REQUIRE_COMPLETE}); the file is left as
     *                              it was
     */
    public static RecordFile open(FileIo io, Path path, byte[] magic, TailRecovery recovery, RecordVisitor visitor) {
        if (magic.length != RecordFileFormat.MAGIC_LENGTH) {
            throw new IllegalArgumentException("magic must be 8 bytes");
        }
        try {
            boolean created = !Files.exists(path);
            if (created) {
                io.createDirectoriesDurably(path.getParent());
            }
            FileChannel ch =
                    io.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                long valid = ch.size() < RecordFileFormat.HEADER_LENGTH
                        ? writeHeader(ch, magic)
                        : replay(path, ch, magic, recovery, visitor);
                if (valid < ch.size()) {
                    LOG.warn(
                            "truncating torn tail; its bytes are kept in {}{} [file={}, validBytes={}, fileBytes={}]",
                            path.getFileName(),
                            TORN_SUFFIX,
                            path,
                            valid,
                            ch.size());
                    keepTornTail(io, path, ch, valid);
                    ch.truncate(valid);
                    ch.force(true);
                }
                if (created) {
                    io.syncDirectory(path.toAbsolutePath().getParent());
                }
                ch.position(valid);
                return new RecordFile(path, ch, valid);
            } catch (RuntimeException | IOException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new StorageIoException("cannot open record file [file=" + path + "]", e);
        }
    }

    /**
     * Copies the bytes about to be cut off to {@code <file>.torn} (replacing an older one), fsynced, before the cut:
     * a damaged last record looks exactly like a torn one, and its bytes must survive for the operator.
     */
    private static void keepTornTail(FileIo io, Path path, FileChannel ch, long valid) throws IOException {
        Path torn = path.resolveSibling(path.getFileName() + TORN_SUFFIX);
        byte[] tail = new byte[(int) (ch.size() - valid)];
        ByteBuffer bb = ByteBuffer.wrap(tail);
        while (bb.hasRemaining() && ch.read(bb, valid + bb.position()) >= 0) {
            // read fully
        }
        try (FileChannel out = io.open(
                torn, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer w = ByteBuffer.wrap(tail);
            while (w.hasRemaining()) {
                out.write(w);
            }
            out.force(true);
        }
        io.syncDirectory(path.toAbsolutePath().getParent());
    }

    private static long writeHeader(FileChannel ch, byte[] magic) throws IOException {
        ByteSink h = new ByteSink(16);
        h.put(magic).putShort(RecordFileFormat.VERSION_CURRENT).putShort(0);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(h.array(), 0, h.size()), 0);
        ch.force(true);
        return RecordFileFormat.HEADER_LENGTH;
    }

    private static long replay(Path path, FileChannel ch, byte[] magic, TailRecovery recovery, RecordVisitor visitor)
            throws IOException {
        long fileSize = ch.size();
        if (fileSize > Integer.MAX_VALUE) {
            throw new CorruptDataException(path.toString(), 0, "record file larger than 2 GiB");
        }
        byte[] all = new byte[(int) fileSize];
        ByteBuffer bb = ByteBuffer.wrap(all);
        while (bb.hasRemaining() && ch.read(bb, bb.position()) >= 0) {
            // read fully
        }
        if (!Arrays.equals(all, 0, RecordFileFormat.MAGIC_LENGTH, magic, 0, RecordFileFormat.MAGIC_LENGTH)) {
            throw new CorruptDataException(path.toString(), 0, "bad magic: not a " + new String(magic) + " file");
        }
        int version = (all[8] & 0xFF) | ((all[9] & 0xFF) << 8);
        if (version < RecordFileFormat.VERSION_MIN || version > RecordFileFormat.VERSION_CURRENT) {
            throw new FormatVersionException(
                    path.toString(), version, RecordFileFormat.VERSION_MIN, RecordFileFormat.VERSION_CURRENT);
        }
        CRC32C crc = new CRC32C();
        int pos = RecordFileFormat.HEADER_LENGTH;
        while (pos < all.length) {
            String problem = null;
            int len = 0;
            if (pos + RecordFileFormat.RECORD_HEADER_LENGTH > all.length) {
                problem = "incomplete record header";
            } else {
                ByteSource h = new ByteSource(all, pos, RecordFileFormat.RECORD_HEADER_LENGTH, path.toString(), pos);
                len = h.getInt();
                int expected = h.getInt();
                if (len < 1 || len > RecordFileFormat.MAX_RECORD_BYTES) {
                    problem = "invalid record length " + Integer.toUnsignedString(len);
                } else if (pos + 8L + len > all.length) {
                    problem = "record of " + len + " bytes runs past the end of the file";
                } else {
                    crc.reset();
                    crc.update(all, pos + 8, len);
                    if ((int) crc.getValue() != expected) {
                        problem = "record checksum mismatch";
                    }
                }
            }
            if (problem != null) {
                boolean mayBeTorn = recovery == TailRecovery.TRUNCATE_TORN_TAIL
                        || recovery == TailRecovery.TRUNCATE_TORN_TAIL_AFTER_FIRST
                                && pos > RecordFileFormat.HEADER_LENGTH;
                if (mayBeTorn && isTornTail(all, pos)) {
                    return pos;
                }
                throw new CorruptDataException(
                        path.toString(),
                        pos,
                        problem
                                + (!mayBeTorn
                                        ? " in a record that was written complete"
                                        : " with a valid record after it (damage, " + "not a torn tail)")
                                + "; the file was left as it is");
            }
            int type = all[pos + 8] & 0xFF;
            visitor.visit(type, new ByteSource(all, pos + 9, len - 1, path.toString(), pos + 9));
            pos += 8 + len;
        }
        return pos;
    }

    /**
     * Whether the invalid record at {@code pos} is what an interrupted append leaves: no complete, checksummed
     * record starts anywhere after it (an append writes records in order, so a crash can only damage the end). Zeros
     * the file system extended the file with, a record cut short and a last record with a bad checksum all qualify;
     * a bad record with a good one after it is damage. The search runs only when an invalid record is met.
     */
    static boolean isTornTail(byte[] all, int pos) {
        CRC32C crc = new CRC32C();
        for (int q = pos + 1; q + RecordFileFormat.RECORD_HEADER_LENGTH < all.length; q++) {
            int len =
                    (all[q] & 0xFF) | (all[q + 1] & 0xFF) << 8 | (all[q + 2] & 0xFF) << 16 | (all[q + 3] & 0xFF) << 24;
            if (len < 1 || len > RecordFileFormat.MAX_RECORD_BYTES || q + 8L + len > all.length) {
                continue;
            }
            int expected = (all[q + 4] & 0xFF)
                    | (all[q + 5] & 0xFF) << 8
                    | (all[q + 6] & 0xFF) << 16
                    | (all[q + 7] & 0xFF) << 24;
            crc.reset();
            crc.update(all, q + 8, len);
            if ((int) crc.getValue() == expected) {
                return false;
            }
        }
        return true;
    }

    public Path path() {
        return path;
    }

    /** Bytes in the file plus bytes still buffered. */
    public long size() {
        return size + pending.size();
    }

    public void append(int type, byte[] payload, int off, int len) {
        crc.reset();
        crc.update(type);
        crc.update(payload, off, len);
        pending.putInt(len + 1).putInt((int) crc.getValue()).put((byte) type).put(payload, off, len);
    }

    public void append(int type, ByteSink payload) {
        append(type, payload.array(), 0, payload.size());
    }

    /**
     * Hands buffered records to the OS (survives a process crash, not a power loss).
     *
     * @throws StorageIoException when the write fails; the file is then unusable (see {@link #abandon})
     */
    public void write() {
        checkUsable();
        if (pending.size() == 0) {
            return;
        }
        try {
            ByteBuffer bb = ByteBuffer.wrap(pending.array(), 0, pending.size());
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
        } catch (IOException e) {
            abandoned = true;
            pending.clearAndTrim(PENDING_RETAINED_BYTES);
            throw new StorageIoException("cannot append to record file [file=" + path + ", offset=" + size + "]", e);
        }
        size += pending.size();
        pending.clearAndTrim(PENDING_RETAINED_BYTES);
    }

    private void checkUsable() {
        if (abandoned) {
            throw new StorageIoException(
                    "record file is unusable after a failed write or fsync [file=" + path + "]",
                    new IOException("earlier failure"));
        }
    }

    /** Bytes known to be on disk: the file's size at the last successful fsync (or at open). */
    public long forcedBytes() {
        return forced;
    }

    /** Bytes handed to the OS by successful writes. */
    public long writtenBytes() {
        return size;
    }

    /**
     * Gives the file up after a failed write or fsync: drops what is buffered and, as far as the disk still allows,
     * cuts it back to {@code keepBytes} (what was acknowledged) and fsyncs, so that partial bytes of a failed write
     * are not replayed as a record later. Never throws; what it could not do is logged.
     */
    public void abandon(long keepBytes) {
        abandoned = true;
        pending.clearAndTrim(0);
        if (!channel.isOpen()) {
            return; // closed complete (a rotation failed after it)
        }
        try {
            if (channel.size() > keepBytes) {
                channel.truncate(keepBytes);
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "cannot cut a failed record file back; a later open ends at its torn tail [file={}, keepBytes={}]",
                    path,
                    keepBytes,
                    e);
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("cannot close a failed record file [file={}]", path, e);
        }
    }

    /** Writes and fsyncs (survives a power loss). */
    public void sync() {
        write();
        force();
    }

    /**
     * Fsyncs what {@link #write()} handed to the OS. Safe to call without the owner's lock while another
     * thread appends: the WAL's group commit fsyncs outside its lock.
     */
    public void force() {
        checkUsable();
        long target = size;
        try {
            channel.force(false);
        } catch (IOException e) {
            // after a failed fsync the page cache may have dropped the dirty pages: nothing written since the last
            // good fsync can be trusted (PostgreSQL's "fsyncgate"), so the file is not used again
            abandoned = true;
            throw new StorageIoException("cannot fsync record file [file=" + path + "]", e);
        }
        forced = Math.max(forced, target);
    }

    @Override
    public void close() {
        if (abandoned) {
            return;
        }
        try {
            sync();
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                throw new StorageIoException("cannot close record file [file=" + path + "]", e);
            }
        }
    }
}
