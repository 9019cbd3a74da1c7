package io.meridian.common.lineprotocol;

import java.util.List;
import java.util.Objects;

/**
 * One line as plain values, for tests and slow paths ({@link LineCollector}); the hot path reads
 * {@link LineView} instead. Tags and fields keep their line order.
 */
public record ParsedPoint(String measurement, List<Tag> tags, List<Field> fields, long timestampMs) {
    public ParsedPoint {
        Objects.requireNonNull(measurement, "measurement");
        tags = List.copyOf(tags);
        fields = List.copyOf(fields);
    }

    public record Tag(String key, String value) {
        public Tag {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * A numeric field: {@code value} as Meridian stores it, {@code longValue} as {@link LineView#fieldLong}.
     */
    public record Field(String key, FieldKind kind, double value, long longValue) {
        public Field {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(kind, "kind");
        }

        public static Field ofFloat(String key, double value) {
            return new Field(key, FieldKind.FLOAT, value, 0);
        }

        public static Field ofInteger(String key, long value) {
            return new Field(key, FieldKind.INTEGER, value, value);
        }

        public static Field ofUnsigned(String key, long bits) {
            return new Field(key, FieldKind.UNSIGNED, NumberScanner.unsignedToDouble(bits), bits);
        }

        public static Field ofBoolean(String key, boolean value) {
            return new Field(key, FieldKind.BOOLEAN, value ? 1 : 0, value ? 1 : 0);
        }
    }
}
