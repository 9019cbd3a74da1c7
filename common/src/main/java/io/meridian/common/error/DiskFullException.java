package io.meridian.common.error;

/**
 * A storage node refuses a write because its data directory's free space is below its watermark (HTTP 507).
 * Retriable: the write changed nothing, and writes resume by themselves once space returns.
 */
public final class DiskFullException extends RetriableException {
    public DiskFullException(String message) {
        super(ErrorCode.DISK_FULL, message, null);
    }
}
