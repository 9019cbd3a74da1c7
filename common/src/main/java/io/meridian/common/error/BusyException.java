package io.meridian.common.error;

/**
 * Back-pressure: the node is over a bound (memtable memory, replication lag) and refuses the write instead of
 * running out of memory. Retriable; the write changed nothing.
 */
public final class BusyException extends RetriableException {
    public BusyException(String message) {
        super(ErrorCode.BUSY, message, null);
    }
}
