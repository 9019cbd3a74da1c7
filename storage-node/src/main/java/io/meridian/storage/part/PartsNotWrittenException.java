package io.meridian.storage.part;

import io.meridian.common.error.StorageIoException;

/**
 * A flush or compaction could not write its parts (a full disk, an I/O error) and changed nothing: what it wrote
 * was removed again, no MANIFEST edit names it, and the memtable or input parts it read stay as they were. Unlike
 * a failure of the WAL, the MANIFEST, the dictionary or the schema, this does not stop the shard: the flush or
 * merge is simply tried again.
 */
public final class PartsNotWrittenException extends RuntimeException {
    public PartsNotWrittenException(StorageIoException cause) {
        super(cause.getMessage(), cause);
    }

    /** The I/O failure, with the file named. */
    public StorageIoException ioFailure() {
        return (StorageIoException) getCause();
    }
}
