package io.meridian.common.lineprotocol;

import java.util.List;

/**
 * What a parse saw. {@code linesRead} counts every line that is not blank or a comment; each of them is
 * valid, skipped ({@link StringFieldPolicy#SKIP} left no numeric field) or bad.
 *
 * @param linesRead non-blank, non-comment lines
 * @param linesValid lines without error that have at least one numeric field
 * @param linesDelivered lines handed to the visitor: {@code linesValid}, or 0 when an atomic parse found an
 *     error or the call was {@link LineProtocolParser#validate validate}
 * @param linesSkipped lines whose only fields were skipped strings
 * @param stringFieldsSkipped string fields dropped ({@link StringFieldPolicy#SKIP}) from the good and the skipped
 *     lines
 * @param errorCount bad lines
 * @param errors the first bad lines, at most {@link LineProtocolOptions#maxErrors()}
 */
public record ParseResult(
        int linesRead,
        int linesValid,
        int linesDelivered,
        int linesSkipped,
        int stringFieldsSkipped,
        int errorCount,
        List<LineError> errors) {
    public ParseResult {
        errors = List.copyOf(errors);
    }

    public boolean hasErrors() {
        return errorCount > 0;
    }

    /** @throws LineProtocolException naming the bad lines if there were any */
    public ParseResult throwIfErrors() {
        if (errorCount > 0) {
            throw new LineProtocolException(errors, errorCount, linesRead);
        }
        return this;
    }
}
