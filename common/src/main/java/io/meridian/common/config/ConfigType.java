package io.meridian.common.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How one option's value is read from its YAML node and printed back (for docs and logs).
 *
 * @param <T> the Java type of the value
 */
public interface ConfigType<T> {
    /**
     * Reads a value.
     *
     * @throws IllegalArgumentException with the reason (e.g. "want a size like 64MiB; got 'big'"); the caller
     *                                  adds the key and the file
     */
    T parse(JsonNode node);

    /** The value as a user would write it, e.g. {@code 256MiB}. */
    String format(T value);

    /** A short name of the type for docs: {@code size}, {@code duration}, {@code int}, ... */
    String name();
}
