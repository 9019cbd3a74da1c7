package io.meridian.meta.master;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.RetriableException;

/** This broker is not (or no longer) the master: its metadata write was refused. Retry at the current master. */
public final class NotMasterException extends RetriableException {
    public NotMasterException(String message) {
        super(ErrorCode.NOT_LEADER, message, null);
    }
}
