package io.meridian.common.model;

import io.meridian.common.error.InvalidInputException;

/**
 * Validation of metric, tag key, field and database names: {@code [A-Za-z_][A-Za-z0-9_.:-]*}, at most
 * {@link #MAX_NAME_LENGTH} characters. Tag values are any UTF-8 string of at most
 * {@link #MAX_TAG_VALUE_LENGTH} characters that contains no NUL (NUL separates parts of a series key).
 */
public final class Names {
    public static final int MAX_NAME_LENGTH = 128;
    public static final int MAX_TAG_VALUE_LENGTH = 256;
    /**
     * The pseudo field of {@code COUNT(*)}: a query's field list may name it to count rows, the (series, slot)
     * pairs with a point in any field of the metric. Not a valid name, so no field can be called that.
     */
    public static final String ROWS = "*";

    private Names() {}

    /** Returns the name, or throws naming {@code what} (e.g. "metric", "tag", "field") and the reason. */
    public static String requireValid(String what, String name) {
        String reason = invalidReason(name);
        if (reason != null) {
            throw InvalidInputException.invalidName(what, String.valueOf(name), reason);
        }
        return name;
    }

    public static boolean isValid(String name) {
        return invalidReason(name) == null;
    }

    /** Returns why the name is invalid, or null when it is valid. */
    public static String invalidReason(String name) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "too long: got " + name.length() + " characters; want at most " + MAX_NAME_LENGTH;
        }
        char first = name.charAt(0);
        if (!(isLetter(first) || first == '_')) {
            return "must start with a letter or '_', got '" + first + "'";
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(isLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' || c == '-')) {
                return "character '" + c + "' at index " + i + " is not allowed; want [A-Za-z0-9_.:-]";
            }
        }
        return null;
    }

    public static String requireValidTagValue(String key, String value) {
        String reason = invalidTagValueReason(value);
        if (reason != null) {
            throw new InvalidInputException("invalid tag value [tag=" + key + "]: " + reason);
        }
        return value;
    }

    /** Returns why the tag value cannot be stored, or null when it can. */
    public static String invalidTagValueReason(String value) {
        if (value == null || value.isEmpty()) {
            return "must not be empty";
        }
        if (value.length() > MAX_TAG_VALUE_LENGTH) {
            return "too long: got " + value.length() + " characters; want at most " + MAX_TAG_VALUE_LENGTH;
        }
        if (value.indexOf('\0') >= 0) {
            return "contains NUL";
        }
        return null;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
