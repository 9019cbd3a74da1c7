package io.meridian.common.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One declared configuration key: its dotted name, type, default and documentation.
 *
 * @param key          dotted lower-case key, e.g. {@code storage.memtable.size}
 * @param type         how the value is read
 * @param defaultValue the value when the file does not set the key; null makes the key required
 * @param doc          one or two sentences for the reference docs
 * @param <T>          the value's Java type
 */
public record ConfigOption<T>(String key, ConfigType<T> type, T defaultValue, String doc) {
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*");

    public ConfigOption {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(doc, "doc");
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("BUG: invalid configuration key [key=" + key
                    + "]: want dotted lower case, e.g. storage.memtable.size");
        }
    }

    /** An optional key with a default. */
    public static <T> ConfigOption<T> of(String key, ConfigType<T> type, T defaultValue, String doc) {
        return new ConfigOption<>(key, type, Objects.requireNonNull(defaultValue, "defaultValue"), doc);
    }

    /** A key the file must set. */
    public static <T> ConfigOption<T> required(String key, ConfigType<T> type, String doc) {
        return new ConfigOption<>(key, type, null, doc);
    }

    public boolean isRequired() {
        return defaultValue == null;
    }

    /** The default as a user would write it, {@code (required)}, or {@code (none)} for an empty default. */
    public String formattedDefault() {
        if (isRequired()) {
            return "(required)";
        }
        String formatted = type.format(defaultValue);
        return formatted.isEmpty() ? "(none)" : formatted;
    }
}
