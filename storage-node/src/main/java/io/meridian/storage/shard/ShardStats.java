package io.meridian.storage.shard;

/**
 * A point-in-time view of a shard's size.
 *
 * @param series          series in the dictionary
 * @param parts           live part files
 * @param partBytes       bytes of live part files
 * @param walBytes        bytes of WAL segments on disk
 * @param memtablePoints  points not yet flushed
 * @param memtableBytes   heap bytes of the memtables
 * @param indexHeapBytes  estimated heap bytes of the dictionary and postings
 */
public record ShardStats(
        long series,
        int parts,
        long partBytes,
        long walBytes,
        long memtablePoints,
        long memtableBytes,
        long indexHeapBytes) {}
