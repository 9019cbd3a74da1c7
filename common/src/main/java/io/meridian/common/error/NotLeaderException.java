package io.meridian.common.error;

/** The node is not (or no longer) the leader of a shard at the epoch the writer named. */
public final class NotLeaderException extends RetriableException {
    public NotLeaderException(String message) {
        super(ErrorCode.NOT_LEADER, message, null);
    }
}
