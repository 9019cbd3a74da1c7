package io.meridian.common.config;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;

/**
 * A configuration file or value is wrong: unreadable file, bad YAML, unknown key, missing required key, or a
 * value of the wrong type or out of range. The message names the file and the full dotted key.
 */
public final class ConfigException extends InvalidInputException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(ErrorCode.INVALID_INPUT, message, cause);
    }

    /** {@code invalid configuration value [key=K, file=F]: reason}. */
    static ConfigException invalidValue(String key, String source, String reason) {
        return new ConfigException("invalid configuration value [key=" + key + ", file=" + source + "]: " + reason);
    }
}
