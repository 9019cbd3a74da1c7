package io.meridian.storage.file;

import io.meridian.common.error.InvalidInputException;
import java.util.Locale;

/** When the WAL fsyncs. Every mode hands records to the OS before a write is acknowledged. */
public enum FsyncMode {
    /** fsync before acknowledging (group commit: one fsync covers every writer waiting at that moment). */
    ALWAYS,
    /** fsync in the background every {@code storage.wal.fsync-interval}; a power loss may lose that window. */
    INTERVAL,
    /** never fsync except on rotation and close; survives process crashes, not power loss. */
    NEVER;

    public static FsyncMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                    "invalid fsync mode [storage.wal.fsync=" + s + "]: want always, interval or never");
        }
    }
}
