package io.meridian.common.error;

/** A shard cannot serve right now (closed, recovering, no leader). */
public final class ShardUnavailableException extends RetriableException {
    public ShardUnavailableException(String message, Throwable cause) {
        super(ErrorCode.SHARD_UNAVAILABLE, message, cause);
    }
}
