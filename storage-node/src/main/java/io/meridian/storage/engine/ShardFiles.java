package io.meridian.storage.engine;

import java.nio.file.Path;

/** Every file and directory name of a shard directory, in one place. */
final class ShardFiles {
    static final String WAL_DIR = "wal";
    static final String SEGMENTS_DIR = "segments";
    static final String PART_SUFFIX = ".part";
    /** Suffix of a file being written (a part, the MANIFEST's snapshot) before it is renamed into place. */
    static final String TEMP_SUFFIX = ".tmp";
    /**
     * Files that recovery could not explain (parts no MANIFEST edit names) are moved here, keeping their path
     * below the shard directory; Meridian never deletes anything in it (see docs/operations.md).
     */
    static final String QUARANTINE_DIR = "quarantine";
    /** Pins of snapshots being sent to followers ({@link PinnedSnapshot}); left-overs are removed on open. */
    static final String SNAPSHOTS_DIR = "snapshots";

    private ShardFiles() {}

    /** {@code segments/<segmentStartMs>/<intervalMs>/<seq>.part}, relative to the shard directory. */
    static String partPath(long segmentStartMs, long intervalMs, long seq) {
        return SEGMENTS_DIR + "/" + segmentStartMs + "/" + intervalMs + "/" + String.format("%012d", seq) + PART_SUFFIX;
    }

    static long partSeq(Path part) {
        String n = part.getFileName().toString();
        return Long.parseLong(n.substring(0, n.length() - PART_SUFFIX.length()));
    }
}
