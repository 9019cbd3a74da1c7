/**
 * The write-ahead log: segments of checksummed records (series and field definitions, point batches)
 * with group commit and a configurable fsync policy. {@link io.meridian.storage.wal.OpLog} encodes a shard's ops
 * into records ({@link io.meridian.storage.wal.WalPoints} for point batches) and keeps the
 * {@link io.meridian.storage.wal.ReplicaPosition} they advance; the replay on open is the engine's WalReplayer.
 *
 * <pre>
 * write(batch) -> append SERIES_DEF/FIELD_DEF/POINTS -> commit(ticket): leader writes + fsyncs for all
 *             -> apply to memtable -> ack
 * flush       -> rotate() -> write parts -> deleteBefore(first segment of the new memtable)
 * open        -> replay every segment (torn tail truncated) -> memtable
 * </pre>
 */
package io.meridian.storage.wal;
