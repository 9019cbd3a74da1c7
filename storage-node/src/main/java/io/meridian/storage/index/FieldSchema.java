package io.meridian.storage.index;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.Names;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.log.RecordFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of each metric of a shard: name -> (dense field id, {@link FieldType}). Persisted as a
 * {@link RecordFile} ({@code schema.log}, magic {@code MRDFSCH1}) of FIELD records whose payload is the
 * same as the WAL's FIELD_DEF: {@code fieldId:varint type:u8 metricLen:varint metric fieldLen:varint field}.
 *
 * <p>Not thread-safe: guarded by the shard's lock.
 */
public final class FieldSchema implements AutoCloseable {
    public static final byte[] MAGIC = "MRDFSCH1".getBytes(StandardCharsets.US_ASCII);
    public static final String FILE_NAME = "schema.log";
    static final int RECORD_FIELD = 1;

    /** One field of a metric. */
    public record Field(int id, String metric, String name, FieldType type) {}

    private final Map<String, Map<String, Field>> byMetric = new HashMap<>();
    private final List<Field> byId = new ArrayList<>();
    private final RecordFile file;

    private FieldSchema(Path dir, FileIo io) {
        List<Field> loaded = new ArrayList<>();
        file = RecordFile.open(
                io,
                dir.resolve(FILE_NAME),
                MAGIC,
                RecordFile.TailRecovery.TRUNCATE_TORN_TAIL,
                (type, in) -> loaded.add(decode(in)));
        loaded.forEach(f -> put(f, false));
    }

    public static FieldSchema open(Path dir) {
        return new FieldSchema(dir, FileIo.NIO);
    }

    /** Opens the schema log of {@code dir} through {@code io}; only a torn tail is cut, other damage is an error. */
    public static FieldSchema open(Path dir, FileIo io) {
        return new FieldSchema(dir, io);
    }

    public static void encode(Field f, ByteSink out) {
        byte[] m = f.metric().getBytes(StandardCharsets.UTF_8);
        byte[] n = f.name().getBytes(StandardCharsets.UTF_8);
        out.putVarInt(f.id())
                .put((byte) f.type().id())
                .putVarInt(m.length)
                .put(m)
                .putVarInt(n.length)
                .put(n);
    }

    public static Field decode(ByteSource in) {
        int id = in.getVarInt(Integer.MAX_VALUE, "field id");
        FieldType type = FieldType.ofId(in.getUnsignedByte());
        byte[] m = new byte[in.getVarInt(Names.MAX_NAME_LENGTH * 4, "metric length")];
        in.getBytes(m, 0, m.length);
        byte[] n = new byte[in.getVarInt(Names.MAX_NAME_LENGTH * 4, "field length")];
        in.getBytes(n, 0, n.length);
        return new Field(id, new String(m, StandardCharsets.UTF_8), new String(n, StandardCharsets.UTF_8), type);
    }

    public Field get(String metric, String field) {
        Map<String, Field> m = byMetric.get(metric);
        return m == null ? null : m.get(field);
    }

    public Field byId(int id) {
        return byId.get(id);
    }

    /** Fields of a metric in definition order (empty when unknown). */
    public Map<String, Field> fields(String metric) {
        Map<String, Field> m = byMetric.get(metric);
        return m == null ? Map.of() : Collections.unmodifiableMap(m);
    }

    public int fieldCount(String metric) {
        Map<String, Field> m = byMetric.get(metric);
        return m == null ? 0 : m.size();
    }

    public int nextId() {
        return byId.size();
    }

    /**
     * Checks that declaring {@code field} as {@code type} does not conflict with an existing declaration.
     * @throws InvalidInputException with {@link ErrorCode#TYPE_CONFLICT}
     */
    public void checkCompatible(String metric, String field, FieldType type) {
        Field f = get(metric, field);
        if (f != null && f.type() != type) {
            throw new InvalidInputException(
                    ErrorCode.TYPE_CONFLICT,
                    "field type conflict [metric=" + metric + ", field=" + field + "]: got " + type.displayName()
                            + "; field is " + f.type().displayName());
        }
    }

    /** Defines a new field with the next id and appends it to the file. */
    public Field define(String metric, String field, FieldType type) {
        Field f = new Field(byId.size(), metric, field, type);
        put(f, true);
        return f;
    }

    /** Re-defines a field replayed from the WAL (no-op when known). */
    public void replay(Field f) {
        if (f.id() < byId.size() && byId.get(f.id()) != null) {
            return;
        }
        put(f, true);
    }

    private void put(Field f, boolean log) {
        while (byId.size() <= f.id()) {
            byId.add(null);
        }
        byId.set(f.id(), f);
        byMetric.computeIfAbsent(f.metric(), k -> new LinkedHashMap<>()).put(f.name(), f);
        if (log) {
            ByteSink s = new ByteSink(64);
            encode(f, s);
            file.append(RECORD_FIELD, s);
            file.write();
        }
    }

    public void sync() {
        file.sync();
    }

    /**
     * Fsyncs the definitions (each is handed to the OS when it is made). Safe without the shard's lock while a field
     * is being defined: it touches no buffer.
     */
    public void force() {
        file.force();
    }

    @Override
    public void close() {
        file.close();
    }
}
