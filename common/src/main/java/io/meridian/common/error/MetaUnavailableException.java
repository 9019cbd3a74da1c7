package io.meridian.common.error;

/** The metadata store (etcd) is unreachable; metadata changes are refused until it returns. */
public final class MetaUnavailableException extends RetriableException {
    public MetaUnavailableException(String message, Throwable cause) {
        super(ErrorCode.META_UNAVAILABLE, message, cause);
    }
}
