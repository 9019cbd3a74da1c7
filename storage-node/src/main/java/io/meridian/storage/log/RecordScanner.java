package io.meridian.storage.log;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.StorageIoException;
import io.meridian.storage.encoding.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads the records of a {@link RecordFile} without opening it for writing, from a byte offset, while another
 * thread may be appending to it: the scan stops quietly at the first record that is incomplete or fails its
 * checksum (the writer's next append completes it; a torn tail is truncated only by {@link RecordFile#open}).
 * Replication reads WAL segments this way.
 */
public final class RecordScanner {
    /** Receives a record and its offset; returns false to stop the scan. */
    @FunctionalInterface
    public interface Visitor {
        boolean visit(int type, ByteSource payload, long offset);
    }

    private RecordScanner() {}

    /**
     * Scans {@code path} from {@code offset} (0 = first record).
     *
     * @return the offset after the last record visited (where a later scan continues), or -1 when the file does
     *         not exist (deleted by a flush or truncation)
     */
    public static long scan(Path path, byte[] magic, long offset, Visitor visitor) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < RecordFileFormat.HEADER_LENGTH) {
                return Math.max(offset, RecordFileFormat.HEADER_LENGTH);
            }
            byte[] header = read(ch, 0, RecordFileFormat.MAGIC_LENGTH);
            if (!Arrays.equals(header, 0, RecordFileFormat.MAGIC_LENGTH, magic, 0, RecordFileFormat.MAGIC_LENGTH)) {
                throw new CorruptDataException(path.toString(), 0, "bad magic: not a " + new String(magic) + " file");
            }
            long pos = Math.max(offset, RecordFileFormat.HEADER_LENGTH);
            CRC32C crc = new CRC32C();
            while (pos + RecordFileFormat.RECORD_HEADER_LENGTH <= size) {
                ByteBuffer h = ByteBuffer.wrap(read(ch, pos, RecordFileFormat.RECORD_HEADER_LENGTH))
                        .order(ByteOrder.LITTLE_ENDIAN);
                int len = h.getInt();
                int expected = h.getInt();
                if (len < 1 || len > RecordFileFormat.MAX_RECORD_BYTES || pos + 8L + len > size) {
                    break;
                }
                byte[] body = read(ch, pos + 8, len);
                crc.reset();
                crc.update(body, 0, len);
                if ((int) crc.getValue() != expected) {
                    break;
                }
                if (!visitor.visit(body[0] & 0xFF, new ByteSource(body, 1, len - 1, path.toString(), pos + 9), pos)) {
                    return pos;
                }
                pos += 8 + len;
            }
            return pos;
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new StorageIoException("cannot read record file [file=" + path + ", offset=" + offset + "]", e);
        }
    }

    private static byte[] read(FileChannel ch, long at, int len) throws IOException {
        byte[] b = new byte[len];
        ByteBuffer bb = ByteBuffer.wrap(b);
        while (bb.hasRemaining()) {
            if (ch.read(bb, at + bb.position()) < 0) {
                throw new IOException("unexpected end of file at " + (at + bb.position()));
            }
        }
        return b;
    }
}
