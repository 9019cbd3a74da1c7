package io.meridian.meta.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.FormatVersionException;
import java.io.IOException;

/**
 * JSON encoding of model values stored in etcd and in on-disk snapshots.
 *
 * <p>Every value is an object whose first field is {@code "v"}: the format version. Readers accept
 * {@link #VERSION_MIN}..{@link #VERSION_CURRENT} and reject others with {@link FormatVersionException}.
 * Unknown fields are ignored so that a newer writer may add optional fields without a version bump.
 */
public final class ModelCodec {
    /** Version 1: the first format (records as JSON objects, instants as ISO-8601 strings). */
    public static final int VERSION_1 = 1;

    public static final int VERSION_CURRENT = VERSION_1;
    public static final int VERSION_MIN = VERSION_1;
    public static final String VERSION_FIELD = "v";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ModelCodec() {}

    public static byte[] encode(Object value) {
        ObjectNode out = MAPPER.createObjectNode();
        out.put(VERSION_FIELD, VERSION_CURRENT);
        out.setAll((ObjectNode) MAPPER.valueToTree(value));
        try {
            return MAPPER.writeValueAsBytes(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "BUG: cannot encode model value [type=" + value.getClass().getSimpleName() + "]", e);
        }
    }

    /**
     * Decodes a value written by {@link #encode}.
     *
     * @param source names where the bytes came from (an etcd key, a file) for error messages
     * @throws FormatVersionException if the version is outside what this build reads
     * @throws CorruptDataException if the bytes are not a valid value of {@code type}
     */
    public static <T> T decode(byte[] bytes, Class<T> type, String source) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw corrupt(source, type, e);
        }
        if (tree == null
                || !tree.isObject()
                || !tree.has(VERSION_FIELD)
                || !tree.get(VERSION_FIELD).isInt()) {
            throw corrupt(source, type, new IOException("missing integer field \"" + VERSION_FIELD + "\""));
        }
        int version = tree.get(VERSION_FIELD).intValue();
        if (version < VERSION_MIN || version > VERSION_CURRENT) {
            throw new FormatVersionException(source, version, VERSION_MIN, VERSION_CURRENT);
        }
        ((ObjectNode) tree).remove(VERSION_FIELD);
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (IOException | IllegalArgumentException e) {
            throw corrupt(source, type, e);
        }
    }

    /** The shared mapper, for snapshot files that embed model values. */
    static ObjectMapper mapper() {
        return MAPPER;
    }

    private static CorruptDataException corrupt(String source, Class<?> type, Exception e) {
        return new CorruptDataException(source, 0, "cannot decode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
}
