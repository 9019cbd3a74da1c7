package io.meridian.common.error;

/**
 * A query ran out of its time budget; nothing partial is returned. Retriable: it may finish when the cluster is
 * less loaded (or narrow the query, or raise the timeout).
 */
public final class QueryTimeoutException extends RetriableException {
    public QueryTimeoutException(String message) {
        super(ErrorCode.QUERY_TIMEOUT, message, null);
    }
}
