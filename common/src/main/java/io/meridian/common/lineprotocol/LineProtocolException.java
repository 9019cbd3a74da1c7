package io.meridian.common.lineprotocol;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import java.util.List;

/**
 * A body had bad lines (400). Carries the first bad lines ({@link ParseResult#errors()}) and the total
 * count; the message names them.
 */
public class LineProtocolException extends InvalidInputException {
    private final List<LineError> errors;
    private final int errorCount;

    public LineProtocolException(List<LineError> errors, int errorCount, int linesRead) {
        super(ErrorCode.INVALID_INPUT, message(errors, errorCount, linesRead));
        this.errors = List.copyOf(errors);
        this.errorCount = errorCount;
    }

    /** The first bad lines, in body order (at most {@link LineProtocolOptions#maxErrors()}). */
    public List<LineError> errors() {
        return errors;
    }

    /** How many lines were bad in total, including those not in {@link #errors()}. */
    public int errorCount() {
        return errorCount;
    }

    private static String message(List<LineError> errors, int errorCount, int linesRead) {
        StringBuilder sb = new StringBuilder("invalid line protocol [bad_lines=")
                .append(errorCount)
                .append(", lines=")
                .append(linesRead)
                .append("]: ");
        for (int i = 0; i < errors.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append(errors.get(i));
        }
        if (errors.size() < errorCount) {
            sb.append("; and ").append(errorCount - errors.size()).append(" more");
        }
        return sb.toString();
    }
}
