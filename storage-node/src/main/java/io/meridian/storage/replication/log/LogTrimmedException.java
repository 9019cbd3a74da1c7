package io.meridian.storage.replication.log;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;

/** An op a follower asked for is no longer in the replica log (its WAL segment was deleted): it needs a full re-sync. */
public final class LogTrimmedException extends InvalidInputException {
    public LogTrimmedException(String message) {
        super(ErrorCode.NOT_FOUND, message);
    }
}
