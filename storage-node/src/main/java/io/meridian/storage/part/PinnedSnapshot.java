package io.meridian.storage.part;

import io.meridian.common.error.StorageIoException;
import io.meridian.common.io.FileTrees;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A consistent copy of a replica's durable state for a follower's full re-sync, pinned in a directory of its own
 * ({@code <shard>/snapshots/<n>/}): the parts are hard links (immutable files: no copy, and a compaction that
 * retires them meanwhile does not take them away), the MANIFEST, the series dictionary and the field schema are
 * copies (they are appended to). The shard's maintenance lock is held only while pinning, not while the follower
 * reads, so flushes and compactions go on during a transfer of any length. {@link #close()} removes the pin.
 *
 * @param files   (path relative to the shard directory, '/'-separated; where to read it now), MANIFEST first
 * @param lastLsn the last op the snapshot holds; later ops are in the WAL, kept until the follower fetched them
 */
public record PinnedSnapshot(Path dir, List<File> files, long lastLsn) implements AutoCloseable {
    /** One pinned file. */
    public record File(String relativePath, Path path) {}

    @Override
    public void close() {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            throw new StorageIoException("cannot remove a snapshot pin [dir=" + dir + "]", e);
        }
    }
}
