/**
 * The write-ahead log: segments of checksummed records (series and field definitions, point batches)
 * with group commit and a configurable fsync policy.
 *
 * <pre>
 * write(batch) -> append SERIES_DEF/FIELD_DEF/POINTS -> commit(ticket): leader writes + fsyncs for all
 *             -> apply to memtable -> ack
 * flush       -> rotate() -> write parts -> deleteBefore(first segment of the new memtable)
 * open        -> replay every segment (torn tail truncated) -> memtable
 * </pre>
 */
package io.meridian.storage.wal;
