/**
 * The shard engine: {@link io.meridian.storage.engine.Shard} (the library's entry point) with its write
 * path, flush, compaction, retention, MANIFEST and leaf query execution.
 *
 * <pre>
 * Shard.write(WriteBatch) -> WriteValidator -> define series/fields -> WAL -> MemTable -> ack
 *        stage/commit/abort (two-phase writes of exactly-once sinks) -> StagedTransactions -> memtable on commit
 *        flush()          -> Flusher -> parts (+ rollups) -> PartStore: Manifest edit (+ writers table) -> WAL trimmed
 *        compact()        -> PartStore: Compactor -> merged part -> Manifest edit
 *        applyRetention() -> PartStore: expired segments per interval -> Manifest edit
 *        query(LeafQuery) -> PostingsIndex -> LeafAggregator (parts via BlockCache + memtables) -> LeafResult
 * </pre>
 */
package io.meridian.storage.engine;
