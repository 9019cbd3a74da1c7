package io.meridian.common.error;

/** A query ran out of its time budget; nothing partial is returned. Not retriable as is: narrow the query or raise the timeout. */
public final class QueryTimeoutException extends MeridianException {
    public QueryTimeoutException(String message) {
        super(ErrorCode.QUERY_TIMEOUT, message, null);
    }
}
