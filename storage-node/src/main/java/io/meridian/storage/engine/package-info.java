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
 *        query(LeafQuery) -> PostingsIndex -> LeafAggregator (memtables under the read lock, then the acquired
 *                            parts via BlockCache without it) -> LeafResult
 * </pre>
 *
 * <p>Every file change goes through the {@link io.meridian.storage.file.FileIo} in {@code ShardOptions.files()}. A
 * failed write, fsync or rename of the WAL, MANIFEST, dictionary or schema stops the shard ({@code Shard.failure()});
 * a flush or compaction that cannot write its parts changes nothing and is retried ({@code PartsNotWrittenException}).
 * Recovery cuts only torn tails and never deletes what it cannot explain ({@code ShardFiles}).
 *
 * <p>{@code Shard} is a facade that holds the locks; package-private collaborators do the work, each named
 * for its role:
 *
 * <pre>
 * write, stage/commit/abort -> SeriesResolver (ids, limits) -> OpLog (WAL records) -> MemTableWriter -> MemTables
 *                              TransactionOps (the transaction steps, for leader and follower alike)
 * applyReplicated(ops)      -> ReplicatedOps (order check, per-op apply; NOOP keeps LSNs dense)
 * open                      -> WalReplayer (WAL after the checkpoint -> indexes, memtable, writers, staged)
 * after a write             -> FlushTrigger (background or inline flush; BUSY back-pressure)
 * flush()                   -> MemTableFlush (freeze under the write lock -> FlushGate -> Flusher -> PartStore)
 * query(LeafQuery)          -> LeafQueryPlanner (family, range narrowed to its DataSpan, LeafAggregator.View)
 *                              -> LeafAggregator
 * readLog(...)              -> ReplicaLogReader with ReplicaLogResolver
 * </pre>
 */
package io.meridian.storage.engine;
