package io.meridian.storage.block;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.FormatVersionException;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.model.FieldType;
import io.meridian.storage.encoding.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * Reads a part file: the header and index are checked and kept in memory when opened; blocks are read
 * with positional reads on demand. Thread-safe for reads. Reference-counted: compaction calls
 * {@link #retire()} and the file handle closes when the last query {@link #release() releases} it.
 */
public final class PartReader {
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    private final Path path;
    private final int id = NEXT_ID.incrementAndGet();
    private final FileChannel channel;
    private final long intervalMs;
    private final long segmentStartMs;
    private final int slotCount;
    private final long[] keys;
    private final byte[] types;
    private final long[] offsets;
    private final int[] lengths;
    private final long fileBytes;
    private final AtomicInteger refs = new AtomicInteger(1);

    private PartReader(Path path, FileChannel channel, long intervalMs, long segmentStartMs, int slotCount, long[] keys,
                       byte[] types, long[] offsets, int[] lengths, long fileBytes) {
        this.path = path;
        this.channel = channel;
        this.intervalMs = intervalMs;
        this.segmentStartMs = segmentStartMs;
        this.slotCount = slotCount;
        this.keys = keys;
        this.types = types;
        this.offsets = offsets;
        this.lengths = lengths;
        this.fileBytes = fileBytes;
    }

    public static PartReader open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StorageIoException("cannot open part [file=" + path + "]", e);
        }
        try {
            return read(path, ch);
        } catch (RuntimeException e) {
            try {
                ch.close();
            } catch (IOException ce) {
                e.addSuppressed(ce);
            }
            throw e;
        }
    }

    private static PartReader read(Path path, FileChannel ch) {
        String name = path.toString();
        long size;
        try {
            size = ch.size();
        } catch (IOException e) {
            throw new StorageIoException("cannot stat part [file=" + path + "]", e);
        }
        if (size < PartFormat.HEADER_LENGTH + PartFormat.FOOTER_LENGTH) {
            throw new CorruptDataException(name, 0, "file too short: " + size + " bytes");
        }
        byte[] header = readAt(ch, path, 0, PartFormat.HEADER_LENGTH);
        if (!Arrays.equals(header, 0, 8, PartFormat.MAGIC, 0, 8)) {
            throw new CorruptDataException(name, 0, "bad magic; not a part file");
        }
        ByteSource h = new ByteSource(header, name);
        h.skip(8);
        int version = h.getShort();
        if (version < PartFormat.VERSION_MIN || version > PartFormat.VERSION_CURRENT) {
            throw new FormatVersionException(name, version, PartFormat.VERSION_MIN, PartFormat.VERSION_CURRENT);
        }
        h.getShort();
        long intervalMs = h.getLong();
        long segmentStart = h.getLong();
        int slotCount = h.getInt();
        if (slotCount < 1 || slotCount > BlockCodec.MAX_ENTRIES || intervalMs <= 0) {
            throw new CorruptDataException(name, PartFormat.SLOT_COUNT_OFFSET, "slot count or interval out of range [slots="
                    + slotCount + ", intervalMs=" + intervalMs + "]");
        }
        int headerCrc = h.getInt();
        CRC32C crc = new CRC32C();
        crc.update(header, 0, PartFormat.HEADER_CRC_OFFSET);
        if ((int) crc.getValue() != headerCrc) {
            throw new CorruptDataException(name, PartFormat.HEADER_CRC_OFFSET, "header checksum mismatch");
        }
        byte[] footer = readAt(ch, path, size - PartFormat.FOOTER_LENGTH, PartFormat.FOOTER_LENGTH);
        if (!Arrays.equals(footer, 16, 24, PartFormat.FOOTER_MAGIC, 0, 8)) {
            throw new CorruptDataException(name, size - 8, "bad footer magic; the part is truncated");
        }
        ByteSource f = new ByteSource(footer, 0, footer.length, name, size - PartFormat.FOOTER_LENGTH);
        long indexOffset = f.getLong();
        int indexLength = f.getInt();
        int indexCrc = f.getInt();
        if (indexOffset < PartFormat.HEADER_LENGTH || indexLength < 4
                || indexOffset + indexLength != size - PartFormat.FOOTER_LENGTH) {
            throw new CorruptDataException(name, size - PartFormat.FOOTER_LENGTH, "index bounds out of range [offset="
                    + indexOffset + ", length=" + indexLength + "]");
        }
        byte[] idx = readAt(ch, path, indexOffset, indexLength);
        crc.reset();
        crc.update(idx);
        if ((int) crc.getValue() != indexCrc) {
            throw new CorruptDataException(name, indexOffset, "index checksum mismatch");
        }
        ByteSource in = new ByteSource(idx, 0, idx.length, name, indexOffset);
        int n = in.getInt();
        if (n < 0 || (long) n * PartFormat.INDEX_ENTRY_LENGTH != indexLength - 4) {
            throw new CorruptDataException(name, indexOffset, "index entry count " + n + " does not match its length");
        }
        long[] keys = new long[n];
        byte[] types = new byte[n];
        long[] offsets = new long[n];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) in.getInt() << 32) | (in.getInt() & 0xFFFFFFFFL);
            types[i] = in.get();
            FieldType.ofId(types[i]);
            offsets[i] = in.getLong();
            lengths[i] = in.getInt();
            if ((i > 0 && keys[i] <= keys[i - 1]) || offsets[i] < PartFormat.HEADER_LENGTH
                    || lengths[i] < PartFormat.BLOCK_HEADER_LENGTH || offsets[i] + lengths[i] > indexOffset) {
                throw new CorruptDataException(name, indexOffset + 4 + (long) i * PartFormat.INDEX_ENTRY_LENGTH,
                        "index entry " + i + " is out of order or out of bounds");
            }
        }
        return new PartReader(path, ch, intervalMs, segmentStart, slotCount, keys, types, offsets, lengths, size);
    }

    private static byte[] readAt(FileChannel ch, Path path, long pos, int len) {
        byte[] b = new byte[len];
        ByteBuffer bb = ByteBuffer.wrap(b);
        try {
            while (bb.hasRemaining()) {
                int r = ch.read(bb, pos + bb.position());
                if (r < 0) {
                    throw new CorruptDataException(path.toString(), pos + bb.position(), "unexpected end of file");
                }
            }
        } catch (IOException e) {
            throw new StorageIoException("cannot read part [file=" + path + ", offset=" + pos + "]", e);
        }
        return b;
    }

    public int id() { return id; }

    public Path path() { return path; }

    public long intervalMs() { return intervalMs; }

    public long segmentStartMs() { return segmentStartMs; }

    public int slotCount() { return slotCount; }

    public long fileBytes() { return fileBytes; }

    public int entryCount() { return keys.length; }

    public int seriesIdAt(int i) { return (int) (keys[i] >>> 32); }

    public int fieldIdAt(int i) { return (int) keys[i]; }

    public FieldType typeAt(int i) { return FieldType.ofId(types[i]); }

    /** Index of the block of (seriesId, fieldId), or a negative number when absent. */
    public int find(int seriesId, int fieldId) {
        return Arrays.binarySearch(keys, ((long) seriesId << 32) | (fieldId & 0xFFFFFFFFL));
    }

    /** Reads, checks and decodes block {@code i}. */
    public SlotColumns readBlock(int i, BlockCodec codec) {
        byte[] b = readAt(channel, path, offsets[i], lengths[i]);
        ByteSource in = new ByteSource(b, 0, b.length, path.toString(), offsets[i]);
        int len = in.getInt();
        int expected = in.getInt();
        if (len != lengths[i] - PartFormat.BLOCK_HEADER_LENGTH) {
            throw in.corrupt("block length " + len + " does not match the index (" + lengths[i] + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(b, PartFormat.BLOCK_HEADER_LENGTH, len);
        if ((int) crc.getValue() != expected) {
            throw new CorruptDataException(path.toString(), offsets[i], "block checksum mismatch [series="
                    + seriesIdAt(i) + ", field=" + fieldIdAt(i) + "]");
        }
        return codec.decode(in, typeAt(i) == FieldType.HISTOGRAM, slotCount);
    }

    /** Takes a reference for the duration of a read; false when the part was retired and closed. */
    public boolean acquire() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    public void release() {
        if (refs.decrementAndGet() == 0) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new StorageIoException("cannot close part [file=" + path + "]", e);
            }
        }
    }

    /** Drops the owner's reference (after compaction replaced this part or retention dropped it). */
    public void retire() {
        release();
    }
}
