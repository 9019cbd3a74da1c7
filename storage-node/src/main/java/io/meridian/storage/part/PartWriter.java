package io.meridian.storage.part;

import io.meridian.common.error.StorageIoException;
import io.meridian.common.model.FieldType;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.file.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.roaringbitmap.RoaringBitmap;

/**
 * Writes one part file. Blocks must be added in ascending (seriesId, fieldId) order. The file is written
 * under a temporary name, fsynced and renamed into place by {@link #finish()}, so a crash never leaves a
 * half-written part under its final name. Not thread-safe.
 */
public final class PartWriter implements AutoCloseable {
    private static final int FLUSH_BYTES = 1 << 20;

    private final FileIo io;
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final ByteSink buf = new ByteSink(FLUSH_BYTES + 4096);
    private final ByteSink index = new ByteSink(4096);
    private final ByteSink payload = new ByteSink(4096);
    /** The rows (v4): one entry per series, written as each series' last block is added, and their bitmaps. */
    private final ByteSink rowEntries = new ByteSink(4096);

    private final ByteSink rowBitmaps = new ByteSink(4096);
    private int summarized;
    /** The slots of the current series that hold a point in some field so far. */
    private final RoaringBitmap seriesSlots = new RoaringBitmap();

    private int currentSeries = -1;
    private final BlockCodec codec;
    private final CRC32C crc = new CRC32C();
    private long written;
    private int entries;
    private long lastKey = -1;
    private boolean finished;

    public PartWriter(Path target, long intervalMs, long segmentStartMs, int slotCount, BlockCodec codec) {
        this(FileIo.NIO, target, intervalMs, segmentStartMs, slotCount, codec);
    }

    /** A part written through {@code io}: created as {@code <target>.tmp}, renamed into place by {@link #finish}. */
    public PartWriter(FileIo io, Path target, long intervalMs, long segmentStartMs, int slotCount, BlockCodec codec) {
        this.io = io;
        this.target = target;
        this.temp = target.resolveSibling(target.getFileName() + ".tmp");
        this.codec = codec;
        try {
            io.createDirectoriesDurably(target.getParent());
            channel = io.open(
                    temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageIoException("cannot create part [file=" + temp + "]", e);
        }
        buf.put(PartFormat.MAGIC)
                .putShort(PartFormat.VERSION_CURRENT)
                .putShort(0)
                .putLong(intervalMs)
                .putLong(segmentStartMs)
                .putInt(slotCount);
        crc.update(buf.array(), 0, buf.size());
        buf.putInt((int) crc.getValue());
    }

    public void add(int seriesId, int fieldId, FieldType type, SlotColumns columns) {
        checkOrder(seriesId, fieldId);
        int n = columns.size();
        if (n > 0 && columns.slot(n - 1) - columns.slot(0) == n - 1) {
            seriesSlots.add((long) columns.slot(0), columns.slot(n - 1) + 1L); // dense: the usual block
        } else {
            for (int i = 0; i < n; i++) {
                seriesSlots.add(columns.slot(i));
            }
        }
        payload.clear();
        codec.encode(columns, payload);
        appendPayload(seriesId, fieldId, type);
    }

    /** Adds a block of one point per slot from parallel arrays (see {@link BlockCodec#encodeSingle}). */
    public void addSingle(
            int seriesId, int fieldId, FieldType type, int[] slots, double[] values, long[] offsets, int n) {
        checkOrder(seriesId, fieldId);
        if (n > 0 && slots[n - 1] - slots[0] == n - 1) {
            seriesSlots.add((long) slots[0], slots[n - 1] + 1L);
        } else {
            for (int i = 0; i < n; i++) {
                seriesSlots.add(slots[i]);
            }
        }
        payload.clear();
        codec.encodeSingle(slots, values, offsets, n, payload);
        appendPayload(seriesId, fieldId, type);
    }

    private void checkOrder(int seriesId, int fieldId) {
        long key = ((long) seriesId << 32) | (fieldId & 0xFFFFFFFFL);
        if (key <= lastKey) {
            throw new IllegalStateException(
                    "BUG: blocks out of order [series=" + seriesId + ", field=" + fieldId + "]");
        }
        lastKey = key;
        if (seriesId != currentSeries) {
            summarizeSeries();
            currentSeries = seriesId;
        }
    }

    private void appendPayload(int seriesId, int fieldId, FieldType type) {
        long offset = written + buf.size();
        crc.reset();
        crc.update(payload.array(), 0, payload.size());
        buf.putInt(payload.size()).putInt((int) crc.getValue()).put(payload.array(), 0, payload.size());
        index.putInt(seriesId)
                .putInt(fieldId)
                .put((byte) type.id())
                .putLong(offset)
                .putInt(payload.size() + PartFormat.BLOCK_HEADER_LENGTH);
        entries++;
        if (buf.size() >= FLUSH_BYTES) {
            drain();
        }
    }

    public int entries() {
        return entries;
    }

    /** Ends the current series' rows entry (none when it had no slot): its bitmap in Roaring's portable format. */
    private void summarizeSeries() {
        if (currentSeries >= 0 && !seriesSlots.isEmpty()) {
            seriesSlots.runOptimize();
            ByteBuffer bb =
                    ByteBuffer.allocate(seriesSlots.serializedSizeInBytes()).order(ByteOrder.LITTLE_ENDIAN);
            seriesSlots.serialize(bb);
            rowEntries.putInt(currentSeries).putInt(rowBitmaps.size()).putInt(bb.capacity());
            rowBitmaps.put(bb.array(), 0, bb.capacity());
            summarized++;
        }
        seriesSlots.clear();
    }

    /** Writes index and footer, fsyncs, renames into place; returns the file size. */
    public long finish() {
        summarizeSeries();
        ByteSink idx = new ByteSink(index.size() + rowEntries.size() + rowBitmaps.size() + 8);
        idx.putInt(entries)
                .put(index.array(), 0, index.size())
                .putInt(summarized)
                .put(rowEntries.array(), 0, rowEntries.size())
                .put(rowBitmaps.array(), 0, rowBitmaps.size());
        long indexOffset = written + buf.size();
        buf.put(idx.array(), 0, idx.size());
        crc.reset();
        crc.update(idx.array(), 0, idx.size());
        buf.putLong(indexOffset).putInt(idx.size()).putInt((int) crc.getValue()).put(PartFormat.FOOTER_MAGIC);
        drain();
        try {
            channel.force(true);
            channel.close();
            io.moveDurably(temp, target);
        } catch (IOException e) {
            removeQuietly(target); // renamed but its directory entry is not durable: no MANIFEST may name it
            throw new StorageIoException("cannot finish part [file=" + target + "]", e);
        }
        finished = true;
        return written;
    }

    private void drain() {
        try {
            ByteBuffer bb = ByteBuffer.wrap(buf.array(), 0, buf.size());
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
        } catch (IOException e) {
            throw new StorageIoException("cannot write part [file=" + temp + ", offset=" + written + "]", e);
        }
        written += buf.size();
        buf.clear();
    }

    private void removeQuietly(Path p) {
        try {
            io.delete(p);
        } catch (IOException ignored) {
            // an orphan the next open moves to quarantine/
        }
    }

    /** Abandons an unfinished part: closes and deletes the temporary file. */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        try {
            channel.close();
            io.delete(temp);
        } catch (IOException e) {
            throw new StorageIoException("cannot remove unfinished part [file=" + temp + "]", e);
        }
    }
}
