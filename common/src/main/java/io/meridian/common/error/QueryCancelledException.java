package io.meridian.common.error;

/** A query was cancelled before it finished, typically because its client went away. */
public final class QueryCancelledException extends MeridianException {
    public QueryCancelledException(String message) {
        super(ErrorCode.QUERY_CANCELLED, message, null);
    }
}
