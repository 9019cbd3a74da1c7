package io.meridian.storage.shard;

import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.SeriesDictionary;
import java.nio.file.Path;

/**
 * Every file and directory name of a shard directory, in one place. Recovery explains every file by these names
 * (and moves what it cannot explain to {@link #QUARANTINE_DIR}):
 *
 * <pre>
 * MANIFEST, MANIFEST.tmp                    live parts, WAL checkpoint, writers, replica position (Manifest)
 * series.dict, schema.log                   series dictionary and field schema (index package)
 * wal/&lt;seq:012d&gt;.wal                        WAL segments (wal package)
 * &lt;file&gt;.torn                               the bytes a torn tail cut off (log/RecordFile)
 * segments/&lt;segmentStart&gt;/&lt;interval&gt;/&lt;seq:012d&gt;.part[.tmp]   parts, and parts being written
 * quarantine/&lt;relative path&gt;               files recovery could not explain; never deleted
 * snapshots/&lt;n&gt;/...                          pins of snapshots being sent to followers; removed on open
 * </pre>
 */
public final class ShardFiles {
    public static final String MANIFEST = "MANIFEST";
    public static final String SERIES_DICT = SeriesDictionary.FILE_NAME;
    public static final String SCHEMA = FieldSchema.FILE_NAME;
    public static final String WAL_DIR = "wal";
    public static final String SEGMENTS_DIR = "segments";
    public static final String PART_SUFFIX = ".part";
    /** Suffix of a file being written (a part, the MANIFEST's snapshot) before it is renamed into place. */
    public static final String TEMP_SUFFIX = ".tmp";
    /**
     * Files that recovery could not explain (parts no MANIFEST edit names) are moved here, keeping their path
     * below the shard directory; Meridian never deletes anything in it (docs/replication.md, "Durability").
     */
    public static final String QUARANTINE_DIR = "quarantine";
    /** Pins of snapshots being sent to followers ({@link PinnedSnapshot}); left-overs are removed on open. */
    public static final String SNAPSHOTS_DIR = "snapshots";

    private ShardFiles() {}

    /** {@code segments/<segmentStartMs>/<intervalMs>/<seq>.part}, relative to the shard directory. */
    public static String partPath(long segmentStartMs, long intervalMs, long seq) {
        return SEGMENTS_DIR + "/" + segmentStartMs + "/" + intervalMs + "/" + String.format("%012d", seq) + PART_SUFFIX;
    }

    public static long partSeq(Path part) {
        String n = part.getFileName().toString();
        return Long.parseLong(n.substring(0, n.length() - PART_SUFFIX.length()));
    }
}
