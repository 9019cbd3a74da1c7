package io.meridian.storage.log;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.FormatVersionException;
import io.meridian.common.error.StorageIoException;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
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
 * An append-only file of checksummed records. Opening scans every record, hands each valid one to the
 * caller, and truncates a torn tail (a partial or corrupt last record left by a crash): everything
 * before it was written completely, so nothing that was synced is lost.
 *
 * <p>Appends go to an in-memory buffer; {@link #write()} hands it to the OS and {@link #sync()} fsyncs.
 * Not thread-safe: the owner (WAL, dictionary) serializes access.
 */
public final class RecordFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecordFile.class);

    /** Receives each valid record while a file is opened. */
    @FunctionalInterface
    public interface RecordVisitor {
        void visit(int type, ByteSource payload);
    }

    /** Buffer capacity kept between writes; a larger batch allocates temporarily. */
    private static final int PENDING_RETAINED_BYTES = 1 << 16;

    private final Path path;
    private final FileChannel channel;
    private final ByteSink pending = new ByteSink(4096);
    private final CRC32C crc = new CRC32C();
    private long size;

    private RecordFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    /** Opens (creating if absent) and replays the file; truncates a torn tail. */
    public static RecordFile open(Path path, byte[] magic, RecordVisitor visitor) {
        if (magic.length != RecordFileFormat.MAGIC_LENGTH) {
            throw new IllegalArgumentException("magic must be 8 bytes");
        }
        try {
            Files.createDirectories(path.getParent());
            FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                long valid = ch.size() < RecordFileFormat.HEADER_LENGTH ? writeHeader(ch, magic) : replay(path, ch, magic, visitor);
                if (valid < ch.size()) {
                    LOG.warn("truncating torn tail [file={}, validBytes={}, fileBytes={}]", path, valid, ch.size());
                    ch.truncate(valid);
                    ch.force(true);
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

    private static long writeHeader(FileChannel ch, byte[] magic) throws IOException {
        ByteSink h = new ByteSink(16);
        h.put(magic).putShort(RecordFileFormat.VERSION_CURRENT).putShort(0);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(h.array(), 0, h.size()), 0);
        ch.force(true);
        return RecordFileFormat.HEADER_LENGTH;
    }

    private static long replay(Path path, FileChannel ch, byte[] magic, RecordVisitor visitor) throws IOException {
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
            throw new FormatVersionException(path.toString(), version, RecordFileFormat.VERSION_MIN,
                    RecordFileFormat.VERSION_CURRENT);
        }
        CRC32C crc = new CRC32C();
        int pos = RecordFileFormat.HEADER_LENGTH;
        while (pos + RecordFileFormat.RECORD_HEADER_LENGTH <= all.length) {
            ByteSource h = new ByteSource(all, pos, RecordFileFormat.RECORD_HEADER_LENGTH, path.toString(), pos);
            int len = h.getInt();
            int expected = h.getInt();
            if (len < 1 || len > RecordFileFormat.MAX_RECORD_BYTES || pos + 8L + len > all.length) {
                break;
            }
            crc.reset();
            crc.update(all, pos + 8, len);
            if ((int) crc.getValue() != expected) {
                break;
            }
            int type = all[pos + 8] & 0xFF;
            visitor.visit(type, new ByteSource(all, pos + 9, len - 1, path.toString(), pos + 9));
            pos += 8 + len;
        }
        return pos;
    }

    public Path path() { return path; }

    /** Bytes in the file plus bytes still buffered. */
    public long size() { return size + pending.size(); }

    public void append(int type, byte[] payload, int off, int len) {
        crc.reset();
        crc.update(type);
        crc.update(payload, off, len);
        pending.putInt(len + 1).putInt((int) crc.getValue()).put((byte) type).put(payload, off, len);
    }

    public void append(int type, ByteSink payload) {
        append(type, payload.array(), 0, payload.size());
    }

    /** Hands buffered records to the OS (survives a process crash, not a power loss). */
    public void write() {
        if (pending.size() == 0) {
            return;
        }
        try {
            ByteBuffer bb = ByteBuffer.wrap(pending.array(), 0, pending.size());
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
        } catch (IOException e) {
            throw new StorageIoException("cannot append to record file [file=" + path + ", offset=" + size + "]", e);
        }
        size += pending.size();
        pending.clearAndTrim(PENDING_RETAINED_BYTES);
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
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new StorageIoException("cannot fsync record file [file=" + path + "]", e);
        }
    }

    @Override
    public void close() {
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
