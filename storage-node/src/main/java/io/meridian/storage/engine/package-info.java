/**
 * The shard engine: {@link io.meridian.storage.engine.Shard}, the library's entry point, and the steps of it that
 * span several of the packages below it. Each concept has its own package; this one composes them.
 *
 * <pre>
 * file, encoding, log, index        I/O seam, column codecs, record files, series dictionary and postings
 * shard, txn                        options, file names, metrics, the write unit; writers and staged transactions
 * wal, part                         the WAL and its op records; parts, part store, MANIFEST, compaction, pins
 * memtable, replication.log, query  memtables and their flush into parts; the replica log; leaf aggregation
 * engine                            Shard and the steps below          (StorageLayeringTest keeps this order)
 * </pre>
 *
 * <pre>
 * open                      -> ShardState.open: dictionary, schema, postings, PartStore (MANIFEST), writers,
 *                              WalReplayer (WAL after the checkpoint -> indexes, memtable, writers, staged)
 * write, stage/commit/abort -> WriteValidator (BatchRules) -> SeriesResolver (ids, limits) -> OpLog (WAL records) -> MemTableWriter
 *                              TransactionOps (the transaction steps, for leader and follower alike)
 * applyReplicated(ops)      -> ReplicatedOps (order check, per-op apply; NOOP keeps LSNs dense)
 * after a write             -> FlushTrigger (background or inline flush; BUSY back-pressure)
 * flush()                   -> MemTableFlush (freeze under the write lock -> FlushGate -> Flusher -> PartStore)
 * compact(), applyRetention -> PartStore (Compactor; expired segments) -> Manifest edit
 * query(LeafQuery)          -> LeafQueryPlanner (family, range narrowed to its DataSpan) -> LeafAggregator
 *                              (memtables under the read lock, then the acquired parts via BlockCache without it)
 * readLog(...)              -> ReplicaLogReader with ReplicaLogResolver
 * pinSnapshot()             -> PinnedSnapshot (copies and hard links under snapshots/)
 * </pre>
 *
 * <p>One holder, {@link io.meridian.storage.engine.ShardState}, keeps the state these steps share and states the
 * locking rule for all of it.
 *
 * <p>Every file change goes through the {@link io.meridian.storage.file.FileIo} in {@code ShardOptions.files()}. A
 * failed write, fsync or rename of the WAL, MANIFEST, dictionary or schema stops the shard ({@code Shard.failure()});
 * a flush or compaction that cannot write its parts changes nothing and is retried ({@code PartsNotWrittenException}).
 * Recovery cuts only torn tails and never deletes what it cannot explain ({@code ShardFiles}).
 */
package io.meridian.storage.engine;
