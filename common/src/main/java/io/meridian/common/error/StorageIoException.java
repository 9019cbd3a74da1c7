package io.meridian.common.error;

import java.io.IOException;

/** An I/O operation of the storage layer failed; wraps the {@link IOException} with context. */
public final class StorageIoException extends MeridianException {
    public StorageIoException(String message, IOException cause) {
        super(ErrorCode.STORAGE_IO, message + ": " + cause.getMessage(), cause);
    }
}
