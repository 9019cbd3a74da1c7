/**
 * The memtable: raw points per (series, field) since the last flush, in growable primitive arrays (no
 * per-point objects). {@link io.meridian.storage.memtable.MemTables} holds the active and the frozen one,
 * {@link io.meridian.storage.memtable.MemTableWriter} applies batches and commits to it,
 * {@link io.meridian.storage.memtable.NodeMemory} bounds the memtable bytes of all shards of a node, and
 * {@link io.meridian.storage.memtable.FlushTrigger} decides when to flush (or answer BUSY).
 * {@link io.meridian.storage.memtable.Flusher} writes a frozen memtable into parts of every interval family; the
 * shard-level flush around it (freeze, MANIFEST edit, WAL trim) is the engine's MemTableFlush.
 */
package io.meridian.storage.memtable;
