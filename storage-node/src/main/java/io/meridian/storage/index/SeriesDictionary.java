package io.meridian.storage.index;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.model.ByteKeyTable;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.log.RecordFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The shard's persistent series dictionary: canonical series key bytes to a dense series id (0, 1, 2...).
 * Stored as a {@link RecordFile} ({@code series.dict}, magic {@code MRDSDIC1}) of
 * {@code SERIES(seriesId:varint key:bytes)} records. New series are also logged in the WAL, so a crash
 * between the two writes loses nothing; the file is fsynced before the WAL segments that define its
 * series are deleted.
 *
 * <p>Not thread-safe: the shard calls {@link #getOrNull} under its read lock and {@link #define} under
 * its write lock.
 */
public final class SeriesDictionary implements KnownSeries, AutoCloseable {
    public static final byte[] MAGIC = "MRDSDIC1".getBytes(StandardCharsets.US_ASCII);
    public static final String FILE_NAME = "series.dict";
    static final int RECORD_SERIES = 1;

    // idOf reads it without the shard's lock while writers define series under it
    private final ByteKeyTable table = new ByteKeyTable();
    private final RecordFile file;
    private final ByteSink scratch = new ByteSink(256);

    private SeriesDictionary(Path dir, FileIo io, List<Object[]> loaded) {
        this.file = RecordFile.open(
                io, dir.resolve(FILE_NAME), MAGIC, RecordFile.TailRecovery.TRUNCATE_TORN_TAIL, (type, in) -> {
                    if (type != RECORD_SERIES) {
                        throw in.corrupt("unknown dictionary record type " + type);
                    }
                    int id = in.getVarInt(Integer.MAX_VALUE, "series id");
                    byte[] key = new byte[in.remaining()];
                    in.getBytes(key, 0, key.length);
                    loaded.add(new Object[] {id, key});
                });
        for (Object[] e : loaded) {
            put((Integer) e[0], (byte[]) e[1], false);
        }
    }

    public static SeriesDictionary open(Path dir) {
        return open(dir, FileIo.NIO);
    }

    /** Opens the dictionary of {@code dir} through {@code io}; only a torn tail is cut, other damage is an error. */
    public static SeriesDictionary open(Path dir, FileIo io) {
        return new SeriesDictionary(dir, io, new ArrayList<>());
    }

    /** The id of the series, or null when it is not defined. */
    public Integer getOrNull(byte[] canonicalKey) {
        int id = table.idOf(canonicalKey);
        return id < 0 ? null : id;
    }

    @Override
    public int idOf(byte[] canonicalKey) {
        return table.idOf(canonicalKey);
    }

    /** Defines a new series with the next id and appends it to the file (not yet synced). */
    public int define(byte[] canonicalKey) {
        int id = table.nextId();
        put(id, canonicalKey, true);
        return id;
    }

    /**
     * Re-defines a series replayed from the WAL: a no-op when the dictionary file already had it.
     * @throws CorruptDataException when the id is already taken by another key
     */
    public void replay(int id, byte[] canonicalKey) {
        byte[] known = table.key(id);
        if (known != null) {
            if (!Arrays.equals(known, canonicalKey)) {
                throw new CorruptDataException(
                        FILE_NAME, id, "series id " + id + " is defined twice with different keys");
            }
            return;
        }
        put(id, canonicalKey, true);
    }

    private void put(int id, byte[] key, boolean log) {
        table.put(id, key);
        if (log) {
            scratch.clear();
            scratch.putVarInt(id).put(key);
            file.append(RECORD_SERIES, scratch);
        }
    }

    public int size() {
        return table.size();
    }

    /** The next id {@link #define} will hand out. */
    public int nextId() {
        return table.nextId();
    }

    public byte[] keyBytes(int id) {
        return table.key(id);
    }

    public SeriesKey key(int id) {
        return SeriesKey.fromCanonical(table.key(id));
    }

    /** Writes and fsyncs new definitions. */
    public void sync() {
        file.sync();
    }

    /** Hands new definitions to the OS; under the shard's write lock (definitions are appended under it). */
    public void write() {
        file.write();
    }

    /**
     * Fsyncs what {@link #write()} handed to the OS. Safe without the shard's lock while writers define series: it
     * touches no buffer (a flush fsyncs the dictionary this way outside the lock).
     */
    public void force() {
        file.force();
    }

    @Override
    public void close() {
        file.close();
    }

    /** Heap bytes of the dictionary, estimated (keys and the table that finds them). */
    public long estimatedHeapBytes() {
        return table.estimatedHeapBytes();
    }
}
