package io.meridian.common.error;

/**
 * A query was cancelled before it finished, typically because its client went away. Retriable (as every code in
 * 20-39): running it again is harmless.
 */
public final class QueryCancelledException extends RetriableException {
    public QueryCancelledException(String message) {
        super(ErrorCode.QUERY_CANCELLED, message, null);
    }
}
