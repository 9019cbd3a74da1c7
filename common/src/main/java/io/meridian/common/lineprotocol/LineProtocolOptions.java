package io.meridian.common.lineprotocol;

/**
 * How a {@link LineProtocolParser} treats a body.
 *
 * @param stringFields what to do with quoted string field values
 * @param atomic deliver nothing unless every line is good ("bad input changes nothing"): the body is
 *     validated in a first pass and delivered in a second, so a visitor never sees part of a bad body
 * @param validateNames check names against Meridian's rules ({@link io.meridian.common.model.Names}):
 *     metric, tag key and field names, and tag values (length, NUL); off only for spec-conformance tests
 * @param maxErrors how many bad lines are kept with their reasons (all are counted)
 * @param maxTagsPerLine a line with more tags is bad
 * @param maxFieldsPerLine a line with more fields (strings included) is bad
 */
public record LineProtocolOptions(
        StringFieldPolicy stringFields,
        boolean atomic,
        boolean validateNames,
        int maxErrors,
        int maxTagsPerLine,
        int maxFieldsPerLine) {
    public static final int DEFAULT_MAX_ERRORS = 100;
    public static final int DEFAULT_MAX_TAGS_PER_LINE = 256;
    public static final int DEFAULT_MAX_FIELDS_PER_LINE = 1024;

    /** Reject strings, atomic, Meridian names, 100 errors, 256 tags, 1024 fields. */
    public static final LineProtocolOptions DEFAULTS = new LineProtocolOptions(
            StringFieldPolicy.REJECT,
            true,
            true,
            DEFAULT_MAX_ERRORS,
            DEFAULT_MAX_TAGS_PER_LINE,
            DEFAULT_MAX_FIELDS_PER_LINE);

    public LineProtocolOptions {
        if (stringFields == null) {
            throw new IllegalArgumentException("stringFields must not be null");
        }
        if (maxErrors < 0 || maxTagsPerLine < 0 || maxFieldsPerLine < 1) {
            throw new IllegalArgumentException("limits must be positive: got maxErrors=" + maxErrors
                    + ", maxTagsPerLine=" + maxTagsPerLine + ", maxFieldsPerLine=" + maxFieldsPerLine);
        }
    }

    public LineProtocolOptions withStringFields(StringFieldPolicy policy) {
        return new LineProtocolOptions(policy, atomic, validateNames, maxErrors, maxTagsPerLine, maxFieldsPerLine);
    }

    public LineProtocolOptions withAtomic(boolean value) {
        return new LineProtocolOptions(stringFields, value, validateNames, maxErrors, maxTagsPerLine, maxFieldsPerLine);
    }

    public LineProtocolOptions withValidateNames(boolean value) {
        return new LineProtocolOptions(stringFields, atomic, value, maxErrors, maxTagsPerLine, maxFieldsPerLine);
    }

    public LineProtocolOptions withMaxErrors(int value) {
        return new LineProtocolOptions(stringFields, atomic, validateNames, value, maxTagsPerLine, maxFieldsPerLine);
    }

    public LineProtocolOptions withLimits(int maxTags, int maxFields) {
        return new LineProtocolOptions(stringFields, atomic, validateNames, maxErrors, maxTags, maxFields);
    }
}
