package io.meridian.storage.engine;

import java.nio.file.Path;

/** Every file and directory name of a shard directory, in one place. */
final class ShardFiles {
    static final String WAL_DIR = "wal";
    static final String SEGMENTS_DIR = "segments";
    static final String PART_SUFFIX = ".part";

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
