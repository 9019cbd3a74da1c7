package io.meridian.common.error;

/**
 * No broker of a data centre (IDC) answered a query's share in time. Retriable; a query that allows partial
 * results gets the other IDCs' answer with this IDC listed as missing instead.
 */
public final class IdcUnavailableException extends RetriableException {
    public IdcUnavailableException(String message, Throwable cause) {
        super(ErrorCode.IDC_UNAVAILABLE, message, cause);
    }
}
