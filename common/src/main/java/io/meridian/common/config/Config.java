package io.meridian.common.config;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Names;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * Typed values of a {@link ConfigDef} read from one {@link ConfigTree}: every declared key has a value (from
 * the file or its default). Immutable.
 */
public final class Config {
    private final String source;
    private final Map<ConfigOption<?>, Object> values;

    Config(String source, Map<ConfigOption<?>, Object> values) {
        this.source = source;
        this.values = Collections.unmodifiableMap(values);
    }

    /** Where the values came from (the file), for error messages of cross-key checks. */
    public String source() {
        return source;
    }

    /**
     * @throws IllegalArgumentException when {@code option} is not part of the definition this was parsed with
     */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigOption<T> option) {
        Objects.requireNonNull(option, "option");
        Object v = values.get(option);
        if (v == null) {
            throw new IllegalArgumentException("BUG: configuration option not declared [key=" + option.key() + "]");
        }
        return (T) v;
    }

    /**
     * The value of a name option (a node id, an IDC, a cluster: {@link io.meridian.common.model.Names} rules).
     *
     * @throws ConfigException naming the key when the value is not a valid name
     */
    public String requireName(ConfigOption<String> option, String what) {
        try {
            return Names.requireValid(what, get(option));
        } catch (InvalidInputException e) {
            throw invalid(option, e.getMessage());
        }
    }

    /** A check across keys failed: {@code invalid configuration value [key=K, file=F]: reason}. */
    public ConfigException invalid(ConfigOption<?> option, String reason) {
        return ConfigException.invalidValue(option.key(), source, reason);
    }
}
