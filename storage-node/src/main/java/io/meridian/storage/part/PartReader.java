package io.meridian.storage.part;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.FormatVersionException;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.model.FieldType;
import io.meridian.storage.encoding.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;

/**
 * Reads a part file: the header and index are checked and kept in memory when opened; blocks are read
 * with positional reads on demand. Thread-safe for reads. Reference-counted: compaction calls
 * {@link #retire()} and the file handle closes when the last query {@link #release() releases} it.
 */
public final class PartReader {
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    private final Path path;
    private final int id = NEXT_ID.incrementAndGet();
    /** Parts whose block region is larger than this are read with positional reads, not mapped. */
    static final long MAX_MAPPED_BLOCK_BYTES = 1L << 30;

    private final FileChannel channel;
    private final long intervalMs;
    private final long segmentStartMs;
    private final int slotCount;
    /**
     * The index entries, memory-mapped (off-heap, in the page cache): an open part costs the heap a few
     * dozen bytes whatever its size, so heap per series does not grow with parts or segments.
     */
    private final MappedByteBuffer index;

    private final int entryCount;
    /** The row summary (v4), mapped like the index; null for older parts. */
    private final MappedByteBuffer rows;

    private final int rowEntries;
    /**
     * The blocks' region of the file ({@code [0, index)}), mapped when it is at most {@link #MAX_MAPPED_BLOCK_BYTES}:
     * a block is then copied out of the page cache without a system call, and without the JDK's per-thread direct
     * buffer that positional reads into a heap array go through (measured: a sixth of a 1,000-series scan's CPU went
     * to finding that buffer). Null for larger parts, whose blocks are read with positional reads.
     */
    private final MappedByteBuffer blocks;

    private final long fileBytes;
    private final AtomicInteger refs = new AtomicInteger(1);

    private PartReader(
            Path path,
            FileChannel channel,
            long intervalMs,
            long segmentStartMs,
            int slotCount,
            MappedByteBuffer index,
            int entryCount,
            MappedByteBuffer rows,
            int rowEntries,
            MappedByteBuffer blocks,
            long fileBytes) {
        this.path = path;
        this.channel = channel;
        this.intervalMs = intervalMs;
        this.segmentStartMs = segmentStartMs;
        this.slotCount = slotCount;
        this.index = index;
        this.entryCount = entryCount;
        this.rows = rows;
        this.rowEntries = rowEntries;
        this.blocks = blocks;
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
            throw new CorruptDataException(
                    name,
                    PartFormat.SLOT_COUNT_OFFSET,
                    "slot count or interval out of range [slots=" + slotCount + ", intervalMs=" + intervalMs + "]");
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
        if (indexOffset < PartFormat.HEADER_LENGTH
                || indexLength < 4
                || indexOffset + indexLength != size - PartFormat.FOOTER_LENGTH) {
            throw new CorruptDataException(
                    name,
                    size - PartFormat.FOOTER_LENGTH,
                    "index bounds out of range [offset=" + indexOffset + ", length=" + indexLength + "]");
        }
        byte[] idx = readAt(ch, path, indexOffset, indexLength);
        crc.reset();
        crc.update(idx);
        if ((int) crc.getValue() != indexCrc) {
            throw new CorruptDataException(name, indexOffset, "index checksum mismatch");
        }
        ByteSource in = new ByteSource(idx, 0, idx.length, name, indexOffset);
        int n = in.getInt();
        long entriesLength = (long) n * PartFormat.INDEX_ENTRY_LENGTH;
        if (n < 0
                || (version < PartFormat.VERSION_4
                        ? entriesLength != indexLength - 4
                        : entriesLength + 8 > indexLength)) {
            throw new CorruptDataException(name, indexOffset, "index entry count " + n + " does not match its length");
        }
        long prevKey = -1;
        for (int i = 0; i < n; i++) {
            long key = ((long) in.getInt() << 32) | (in.getInt() & 0xFFFFFFFFL);
            FieldType.ofId(in.get());
            long offset = in.getLong();
            int length = in.getInt();
            if (key <= prevKey
                    || offset < PartFormat.HEADER_LENGTH
                    || length < PartFormat.BLOCK_HEADER_LENGTH
                    || offset + length > indexOffset) {
                throw new CorruptDataException(
                        name,
                        indexOffset + 4 + (long) i * PartFormat.INDEX_ENTRY_LENGTH,
                        "index entry " + i + " is out of order or out of bounds");
            }
            prevKey = key;
        }
        int m = 0;
        long rowsOffset = indexOffset + 4 + entriesLength + 4;
        if (version >= PartFormat.VERSION_4) {
            m = in.getInt();
            long bitmaps = indexLength - entriesLength - 8 - (long) m * PartFormat.ROW_SUMMARY_ENTRY_LENGTH;
            if (m < 0 || bitmaps < 0) {
                throw new CorruptDataException(
                        name, rowsOffset - 4, "rows entry count " + m + " does not match the index length");
            }
            long prevSeries = -1;
            long expectedOffset = 0;
            for (int i = 0; i < m; i++) {
                long series = in.getInt() & 0xFFFFFFFFL;
                long offset = in.getInt() & 0xFFFFFFFFL;
                long length = in.getInt() & 0xFFFFFFFFL;
                if (series <= prevSeries || offset != expectedOffset || length < 8 || offset + length > bitmaps) {
                    throw new CorruptDataException(
                            name,
                            rowsOffset + (long) i * PartFormat.ROW_SUMMARY_ENTRY_LENGTH,
                            "rows entry " + i + " is out of order or out of bounds [series=" + series + ", offset="
                                    + offset + ", length=" + length + "]");
                }
                prevSeries = series;
                expectedOffset = offset + length;
            }
            if (expectedOffset != bitmaps) {
                throw new CorruptDataException(
                        name,
                        rowsOffset,
                        "rows bitmaps take " + bitmaps + " bytes but the entries " + "name " + expectedOffset);
            }
        }
        MappedByteBuffer mapped;
        MappedByteBuffer summary = null;
        MappedByteBuffer blockRegion = null;
        try {
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, indexOffset + 4, entriesLength);
            if (indexOffset <= MAX_MAPPED_BLOCK_BYTES) {
                blockRegion = ch.map(FileChannel.MapMode.READ_ONLY, 0, indexOffset);
            }
            if (version >= PartFormat.VERSION_4) {
                summary = ch.map(FileChannel.MapMode.READ_ONLY, rowsOffset, indexOffset + indexLength - rowsOffset);
                summary.order(ByteOrder.LITTLE_ENDIAN);
            }
        } catch (IOException e) {
            throw new StorageIoException("cannot map part index [file=" + path + "]", e);
        }
        mapped.order(ByteOrder.LITTLE_ENDIAN);
        return new PartReader(path, ch, intervalMs, segmentStart, slotCount, mapped, n, summary, m, blockRegion, size);
    }

    /**
     * The bytes {@code [offset, offset + len)} of the mapped block region (the index checked that they lie in it). A
     * read error of the page behind a mapping surfaces as an {@link InternalError} in the reading thread, which is
     * reported like a failed positional read.
     */
    private byte[] copyMapped(long offset, int len) {
        byte[] b = new byte[len];
        try {
            blocks.get((int) offset, b, 0, len);
        } catch (InternalError e) {
            throw new StorageIoException(
                    "cannot read part [file=" + path + ", offset=" + offset + "]", new IOException(e.getMessage(), e));
        }
        return b;
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

    public int id() {
        return id;
    }

    public Path path() {
        return path;
    }

    public long intervalMs() {
        return intervalMs;
    }

    public long segmentStartMs() {
        return segmentStartMs;
    }

    public int slotCount() {
        return slotCount;
    }

    public long fileBytes() {
        return fileBytes;
    }

    public int entryCount() {
        return entryCount;
    }

    private static final int FIELD_ID_OFFSET = 4;
    private static final int TYPE_OFFSET = 8;
    private static final int BLOCK_OFFSET_OFFSET = 9;
    private static final int BLOCK_LENGTH_OFFSET = 17;

    public int seriesIdAt(int i) {
        return index.getInt(i * PartFormat.INDEX_ENTRY_LENGTH);
    }

    public int fieldIdAt(int i) {
        return index.getInt(i * PartFormat.INDEX_ENTRY_LENGTH + FIELD_ID_OFFSET);
    }

    public FieldType typeAt(int i) {
        return FieldType.ofId(index.get(i * PartFormat.INDEX_ENTRY_LENGTH + TYPE_OFFSET));
    }

    private long keyAt(int i) {
        return ((long) seriesIdAt(i) << 32) | (fieldIdAt(i) & 0xFFFFFFFFL);
    }

    /** Index of the block of (seriesId, fieldId), or a negative number when absent. */
    public int find(int seriesId, int fieldId) {
        long key = ((long) seriesId << 32) | (fieldId & 0xFFFFFFFFL);
        int lo = 0;
        int hi = entryCount - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long k = keyAt(mid);
            if (k < key) {
                lo = mid + 1;
            } else if (k > key) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** Whether this part has each series' rows (format v4 and later). */
    public boolean hasRowSummary() {
        return rows != null;
    }

    /**
     * The rows entry of {@code seriesId}: its index (for {@link #summaryRows}), or a negative number when the series
     * has no row here. Only for parts with {@link #hasRowSummary()}.
     */
    public int summaryOf(int seriesId) {
        int lo = 0;
        int hi = rowEntries - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int k = rows.getInt(mid * PartFormat.ROW_SUMMARY_ENTRY_LENGTH);
            if (k < seriesId) {
                lo = mid + 1;
            } else if (k > seriesId) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /**
     * The series' rows: the slots (of this part, 0 = the segment start) with a point in any of its fields, read in
     * place from the mapped index (no copy).
     *
     * @throws CorruptDataException when the stored bitmap does not decode
     */
    public ImmutableRoaringBitmap summaryRows(int entry) {
        int at = entry * PartFormat.ROW_SUMMARY_ENTRY_LENGTH;
        int offset = rows.getInt(at + 4);
        int length = rows.getInt(at + 8);
        ByteBuffer slice = rows.duplicate()
                .order(ByteOrder.LITTLE_ENDIAN)
                .position(rowEntries * PartFormat.ROW_SUMMARY_ENTRY_LENGTH + offset)
                .limit(rowEntries * PartFormat.ROW_SUMMARY_ENTRY_LENGTH + offset + length)
                .slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        try {
            return new ImmutableRoaringBitmap(slice);
        } catch (RuntimeException e) {
            throw new CorruptDataException(
                    path.toString(),
                    -1,
                    "rows bitmap of series " + rows.getInt(at) + " does not decode: " + e.getMessage());
        }
    }

    /** Reads, checks and decodes block {@code i}. */
    public SlotColumns readBlock(int i, BlockCodec codec) {
        return readBlock(i, codec, null);
    }

    /** Reads block {@code i}, decoding into {@code reuse} where it can ({@link BlockCodec#decode}). */
    public SlotColumns readBlock(int i, BlockCodec codec, SlotColumns reuse) {
        return readBlock(i, codec, reuse, 0, slotCount - 1);
    }

    /**
     * Reads block {@code i}, decoding into {@code reuse} where it can, only up to slot {@code lastSlot} and keeping
     * only the entries from {@code firstSlot} on ({@link BlockCodec#decode(ByteSource, boolean, int, SlotColumns,
     * int, int)}).
     */
    public SlotColumns readBlock(int i, BlockCodec codec, SlotColumns reuse, int firstSlot, int lastSlot) {
        long offset = index.getLong(i * PartFormat.INDEX_ENTRY_LENGTH + BLOCK_OFFSET_OFFSET);
        int length = index.getInt(i * PartFormat.INDEX_ENTRY_LENGTH + BLOCK_LENGTH_OFFSET);
        byte[] b = blocks != null ? copyMapped(offset, length) : readAt(channel, path, offset, length);
        ByteSource in = new ByteSource(b, 0, b.length, path.toString(), offset);
        int len = in.getInt();
        int expected = in.getInt();
        if (len != length - PartFormat.BLOCK_HEADER_LENGTH) {
            throw in.corrupt("block length " + len + " does not match the index (" + length + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(b, PartFormat.BLOCK_HEADER_LENGTH, len);
        if ((int) crc.getValue() != expected) {
            throw new CorruptDataException(
                    path.toString(),
                    offset,
                    "block checksum mismatch [series=" + seriesIdAt(i) + ", field=" + fieldIdAt(i) + "]");
        }
        return codec.decode(in, typeAt(i) == FieldType.HISTOGRAM, slotCount, reuse, firstSlot, lastSlot);
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
