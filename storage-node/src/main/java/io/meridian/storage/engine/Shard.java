package io.meridian.storage.engine;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.Names;
import io.meridian.common.query.PartialTable;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.KnownSeries;
import io.meridian.storage.log.RecordFile;
import io.meridian.storage.memtable.FlushGate;
import io.meridian.storage.memtable.FlushTrigger;
import io.meridian.storage.memtable.NodeMemory;
import io.meridian.storage.part.BlockCache;
import io.meridian.storage.part.PartReader;
import io.meridian.storage.part.PartsNotWrittenException;
import io.meridian.storage.part.PinnedSnapshot;
import io.meridian.storage.query.LeafAggregator;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.query.LeafQueryPlanner;
import io.meridian.storage.replication.log.LogOp;
import io.meridian.storage.replication.log.ReplicaLogReader;
import io.meridian.storage.replication.log.ReplicaLogResolver;
import io.meridian.storage.shard.ShardFiles;
import io.meridian.storage.shard.ShardMetrics;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.ShardStats;
import io.meridian.storage.shard.WriteBatch;
import io.meridian.storage.txn.StagedTransactions;
import io.meridian.storage.txn.WriterSequences;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard replica's storage: series dictionary, postings, field schema, WAL, memtable and the
 * interval families of every segment. The engine's public entry point.
 *
 * <pre>
 * write  -> validate (no change on error) -> define series/fields -> WAL append -> memtable -> commit -> ack
 * flush  -> freeze memtable, rotate WAL -> parts per (segment, interval) -> MANIFEST edit -> drop WAL
 * query  -> plan and fold the memtables under the read lock -> fold the acquired parts without it
 * </pre>
 *
 * <p>Threading: writes and queries may come from any thread; what is guarded by which lock, for the shard and
 * every step it delegates to, is written once, in {@link ShardState}.
 *
 * <p>Fail-stop: when a write, fsync or rename of the WAL, the MANIFEST, the dictionary or the schema fails, the
 * shard stops ({@link #failure()}): every later write, read and log fetch answers the retriable
 * {@link ShardUnavailableException} naming the cause, so nothing that was not durable is ever acknowledged or
 * seen, and the owner reopens it from its files (which recovers exactly what was acknowledged) when the disk
 * allows. A flush that cannot write its parts changes nothing and is retried; the next flush writes the same
 * frozen memtable first, so the WAL checkpoint never passes unflushed points.
 */
public final class Shard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);

    /** The state the steps below share, and its locking rule. */
    private final ShardState state;
    /** The epoch this replica stamps the ops it accepts as leader with. */
    private volatile long epoch;

    private final ReplicaLogReader logReader;
    private final SeriesResolver resolver;
    private final TransactionOps transactions;
    private final ReplicatedOps replicatedOps;
    private final MemTableFlush memTableFlush;
    private final LeafQueryPlanner queryPlanner;
    private final ReplicaLogResolver logResolver;
    private final FlushTrigger flushTrigger;
    private boolean closed;
    /** The storage failure that stopped this shard, or null. */
    private volatile StorageIoException failure;
    /** A frozen memtable whose flush failed to write its parts; flushed again before anything else is frozen. */
    private MemTableFlush.Frozen pendingFlush;
    /** Numbers the snapshot pins of this open shard. */
    private final AtomicLong snapshotSeq = new AtomicLong();

    private Shard(ShardState state, NodeMemory memory) {
        this.state = state;
        checkPartsAgainstDictionary();
        this.resolver = new SeriesResolver(state);
        this.transactions =
                new TransactionOps(resolver, state.opLog, state.memTableWriter, state.writerSequences, state.staged);
        this.replicatedOps = new ReplicatedOps(state, this::appendLocked, transactions);
        this.epoch = Math.max(1, state.position.lastEpoch());
        this.logReader = new ReplicaLogReader(state.dir.resolve(ShardFiles.WAL_DIR));
        this.memTableFlush = new MemTableFlush(state, logReader);
        this.queryPlanner = new LeafQueryPlanner(
                state.postings, state.dictionary, state.schema, state.partStore, state.memTables, state.options);
        this.logResolver = new ReplicaLogResolver(state.lock, state.dictionary, state.schema);
        this.flushTrigger = new FlushTrigger(
                state.dir,
                state.options,
                state.memTables,
                state.staged,
                state.metrics,
                state.lock,
                state.maintenanceLock,
                this::flush,
                this::isClosed,
                memory);
        state.partStore.startEditing();
        state.metrics.bind(this::stats, this::lastLsn, state.wal::bytesAppended);
        LOG.info(
                "opened shard [dir={}, series={}, parts={}, walRecordsReplayed={}, memtablePoints={}, lsn={}, epoch={}]",
                state.dir,
                state.dictionary.size(),
                state.partStore.snapshot().all().size(),
                state.replayed,
                state.memTables.active().points(),
                state.position.lastLsn(),
                state.position.lastEpoch());
    }

    /**
     * Every series id a live part uses must be defined in the dictionary, and every field id in the schema (after the
     * WAL replay): a dictionary that lost definitions would hand their ids to new series and mix their points with
     * old ones.
     */
    private void checkPartsAgainstDictionary() {
        for (PartReader p : state.partStore.snapshot().all()) {
            for (int i = 0, n = p.entryCount(); i < n; i++) {
                int field = p.fieldIdAt(i);
                if (field < 0 || field >= state.schema.nextId()) {
                    throw new CorruptDataException(
                            state.dir.resolve(ShardFiles.SCHEMA).toString(),
                            0,
                            "field id " + field + " used by part " + p.path() + " is not defined in the schema ("
                                    + state.schema.nextId() + " ids); a cut-off tail of it is kept in "
                                    + ShardFiles.SCHEMA + RecordFile.TORN_SUFFIX);
                }
                int id = p.seriesIdAt(i);
                if (id < 0 || id >= state.dictionary.nextId() || state.dictionary.keyBytes(id) == null) {
                    throw new CorruptDataException(
                            state.dir.resolve(ShardFiles.SERIES_DICT).toString(),
                            0,
                            "series id " + id + " used by part " + p.path() + " is not defined in the dictionary ("
                                    + state.dictionary.nextId() + " ids); a cut-off tail of it is kept in "
                                    + ShardFiles.SERIES_DICT + RecordFile.TORN_SUFFIX);
                }
            }
        }
    }

    /** Opens (recovering from the WAL) or creates a shard in {@code dir}. */
    /** A shard with a block cache of its own, of {@code storage.block-cache.size}. */
    public static Shard open(Path dir, ShardOptions options) {
        return open(dir, options, ShardMetrics.noop());
    }

    public static Shard open(Path dir, ShardOptions options, ShardMetrics metrics) {
        return open(dir, options, metrics, NodeMemory.unbounded());
    }

    /** A shard whose memtables count against a node-wide bound shared with the node's other shards. */
    public static Shard open(Path dir, ShardOptions options, ShardMetrics metrics, NodeMemory memory) {
        return open(dir, options, metrics, memory, new BlockCache(options.blockCacheBytes()));
    }

    /** A shard that shares the node's memtable bound and its block cache with the node's other shards. */
    public static Shard open(
            Path dir, ShardOptions options, ShardMetrics metrics, NodeMemory memory, BlockCache blockCache) {
        return new Shard(ShardState.open(dir, options, metrics, blockCache), memory);
    }

    // ---------------------------------------------------------------- schema

    /**
     * Declares the type of a field (before or after data arrives). Undeclared fields are gauges.
     * @throws InvalidInputException on an invalid name, a type conflict or the fields-per-metric limit
     */
    public void declareField(String metric, String field, FieldType type) {
        Names.requireValid("metric", metric);
        Names.requireValid("field", field);
        state.lock.writeLock().lock();
        try {
            checkOpen();
            state.schema.checkCompatible(metric, field, type);
            if (state.schema.get(metric, field) == null) {
                resolver.checkFieldLimit(metric, 1);
                state.wal.commit(state.opLog.defineField(metric, field, type, nextLsn(), epoch));
            }
        } catch (StorageIoException e) {
            throw stop(e);
        } finally {
            state.lock.writeLock().unlock();
        }
    }

    /** The LSN of the next op this replica accepts as leader; caller holds the write lock. */
    private long nextLsn() {
        return state.position.lastLsn() + 1;
    }

    public Map<String, FieldSchema.Field> fields(String metric) {
        return readOpen(() -> Map.copyOf(state.schema.fields(metric)));
    }

    // ---------------------------------------------------------------- writes

    /** What a write did. */
    public enum WriteResult {
        /** The points were applied. */
        APPLIED,
        /** The batch's (writer, sequence) had already been applied; nothing was applied again. */
        DUPLICATE
    }

    /**
     * Writes a batch; returns once it is durable per the WAL's fsync mode. Either the whole batch is
     * applied or, on {@link InvalidInputException}, nothing is. A batch with a writer id is applied at most
     * once per (writer, sequence) (see {@link WriteBatch#withWriter}).
     */
    /**
     * The series this shard holds, asked without its lock: a write's decoder checks the names of known series no more,
     * and the ids it finds are used by {@link #write} for a batch decoded against them.
     */
    public KnownSeries knownSeries() {
        return state.dictionary;
    }

    public WriteResult write(WriteBatch written) {
        WriteBatch batch = WriteValidator.validate(written, state.options);
        flushTrigger.awaitMemory();
        long ticket;
        boolean duplicate = false;
        state.lock.writeLock().lock();
        try {
            checkOpen();
            WriterSequences.Entry applied = batch.writerId() == null
                    ? null
                    : state.writerSequences.duplicateOf(batch.writerId(), batch.sequence());
            if (applied != null) {
                duplicate = true;
                ticket = applied.ticket;
            } else {
                ticket = appendLocked(batch, nextLsn(), epoch);
            }
        } catch (StorageIoException e) {
            throw stop(e);
        } finally {
            state.lock.writeLock().unlock();
        }
        return acknowledge(ticket, duplicate);
    }

    /** Logs (as op {@code lsn}) and applies a validated batch; caller holds the write lock. Returns the WAL ticket. */
    private long appendLocked(WriteBatch batch, long lsn, long opEpoch) {
        int[] seriesIds = new int
                [batch.hasPartials() ? batch.partials().size() : batch.series().size()];
        int[][] fieldIds = resolver.resolve(batch, seriesIds);
        long ticket = state.opLog.points(batch, seriesIds, fieldIds, lsn, opEpoch);
        state.memTableWriter.applyBatch(batch, seriesIds, fieldIds, ticket);
        return ticket;
    }

    /**
     * Stages points in transaction {@code transactionId} of an exactly-once writer: durable when this returns,
     * invisible to queries until {@link #commit}. Staging into a transaction that already committed is a
     * late retry and is ignored ({@link WriteResult#DUPLICATE}).
     */
    public WriteResult stage(String writerId, long transactionId, WriteBatch batch) {
        WriteBatch onBase = WriteValidator.validate(batch.withWriter(writerId, transactionId), state.options);
        flushTrigger.awaitMemory();
        long ticket;
        state.lock.writeLock().lock();
        try {
            checkOpen();
            if (transactions.committed(writerId, transactionId) != null) {
                return WriteResult.DUPLICATE;
            }
            ticket = transactions.stage(writerId, transactionId, onBase, nextLsn(), epoch);
        } catch (StorageIoException e) {
            throw stop(e);
        } finally {
            state.lock.writeLock().unlock();
        }
        commitWal(ticket);
        flushTrigger.publish();
        return WriteResult.APPLIED;
    }

    /**
     * Makes everything staged in a transaction visible, atomically and at most once: committing a transaction
     * that already committed (a retried commit after a failover) returns {@link WriteResult#DUPLICATE}.
     * Transactions of one writer must commit in increasing id order.
     */
    public WriteResult commit(String writerId, long transactionId) {
        WriteBatch.builder().build().withWriter(writerId, transactionId);
        long ticket;
        boolean duplicate;
        state.lock.writeLock().lock();
        try {
            checkOpen();
            WriterSequences.Entry done = transactions.committed(writerId, transactionId);
            duplicate = done != null;
            if (duplicate) {
                ticket = done.ticket;
                state.staged.remove(writerId, transactionId);
            } else {
                ticket = transactions.commit(writerId, transactionId, nextLsn(), epoch);
            }
        } catch (StorageIoException e) {
            throw stop(e);
        } finally {
            state.lock.writeLock().unlock();
        }
        return acknowledge(ticket, duplicate);
    }

    /**
     * Waits (without the lock) until the WAL holds {@code ticket} durably, then flushes a full memtable
     * ({@link FlushTrigger}).
     * A duplicate is acknowledged only once its original is durable.
     */
    private WriteResult acknowledge(long ticket, boolean duplicate) {
        commitWal(ticket);
        if (duplicate) {
            state.metrics.duplicate();
            return WriteResult.DUPLICATE;
        }
        flushTrigger.afterWrite();
        return WriteResult.APPLIED;
    }

    /** Drops what a transaction staged (no-op when it staged nothing or already committed). */
    public void abort(String writerId, long transactionId) {
        long ticket;
        state.lock.writeLock().lock();
        try {
            checkOpen();
            ticket = transactions.abort(writerId, transactionId, nextLsn(), epoch);
            if (ticket == TransactionOps.NOTHING_STAGED) {
                return;
            }
        } catch (StorageIoException e) {
            throw stop(e);
        } finally {
            state.lock.writeLock().unlock();
        }
        commitWal(ticket);
        flushTrigger.publish();
    }

    /**
     * Aborts, as ops of the replica log (so that followers drop them too), the staged transactions that have waited
     * longer than {@code storage.transactions.staged-expiry} for their commit: their writer is gone for good (a job
     * that was cancelled, or restored from a checkpoint that never staged them), and they would otherwise stay in
     * memory and be written again into the WAL at every flush. Called on the leader only.
     *
     * @return the transactions aborted
     */
    public int expireStagedTransactions() {
        List<Long> tickets = new ArrayList<>();
        state.lock.writeLock().lock();
        try {
            checkOpen();
            long maxAge = state.options.stagedTransactionExpiry().toMillis();
            for (StagedTransactions.Key k : state.staged.olderThan(maxAge)) {
                long ageMs = state.staged.ageMs(k);
                long ticket = transactions.abort(k.writerId(), k.transactionId(), nextLsn(), epoch);
                if (ticket != TransactionOps.NOTHING_STAGED) {
                    tickets.add(ticket);
                    state.metrics.stagedExpired();
                    LOG.warn(
                            "aborted a staged transaction its writer never committed [dir={}, writer={}, "
                                    + "transaction={}, ageMs={}, expiry={}]",
                            state.dir,
                            k.writerId(),
                            k.transactionId(),
                            ageMs,
                            state.options.stagedTransactionExpiry());
                }
            }
        } catch (StorageIoException e) {
            throw stop(e);
        } finally {
            state.lock.writeLock().unlock();
        }
        if (!tickets.isEmpty()) {
            commitWal(tickets.get(tickets.size() - 1));
            flushTrigger.publish();
        }
        return tickets.size();
    }

    /** Number of staged, not yet committed or aborted transactions. */
    public int pendingTransactions() {
        return readLocked(state.staged::transactions);
    }

    /** The highest applied sequence of a writer (0 when unknown): where a restarted writer resumes. */
    public long writerSequence(String writerId) {
        return readLocked(() -> state.writerSequences.sequence(writerId));
    }

    // ---------------------------------------------------------------- replication

    /** The last replica-log sequence number this replica holds (0 when empty). */
    public long lastLsn() {
        return state.position.lastLsn();
    }

    /** The epoch of the op at {@link #lastLsn()} (0 when empty). */
    public long lastEpoch() {
        return readLocked(state.position::lastEpoch);
    }

    /** The last LSN this log holds of {@code opEpoch} or earlier (where a replica of that epoch diverged). */
    public long endOfEpoch(long opEpoch) {
        return readLocked(() -> state.position.endOfEpoch(opEpoch));
    }

    /** Sets the epoch that ops accepted from now on (as leader) carry; epochs never go back. */
    public void setEpoch(long newEpoch) {
        state.lock.writeLock().lock();
        try {
            if (newEpoch < state.position.lastEpoch()) {
                throw new IllegalArgumentException("shard epoch cannot go back [dir=" + state.dir + ", epoch="
                        + newEpoch + ", logEpoch=" + state.position.lastEpoch() + "]");
            }
            epoch = newEpoch;
        } finally {
            state.lock.writeLock().unlock();
        }
    }

    /** What a flush waits for before it makes frozen ops permanent (the replication layer's commit point). */
    public void setFlushGate(FlushGate gate) {
        memTableFlush.setFlushGate(Objects.requireNonNull(gate, "gate"));
    }

    /**
     * The lowest LSN followers still need: WAL segments holding it are kept across flushes, up to
     * {@code maxRetainedBytes} of segments the checkpoint already covers.
     */
    public void setNeededLsn(LongSupplier needed, long maxRetainedBytes) {
        memTableFlush.setNeededLsn(Objects.requireNonNull(needed, "needed"), maxRetainedBytes);
    }

    /**
     * Reads replica-log ops from {@code fromLsn} on (at most about {@code maxBytes}), self-contained for a
     * follower. Only what the WAL already handed to the OS is read.
     *
     * @param hint where the previous read of the same reader ended, or null
     * @throws LogTrimmedException when {@code fromLsn} is no longer in the WAL (the follower needs a full re-sync)
     */
    public ReplicaLogReader.Batch readLog(long fromLsn, long maxBytes, ReplicaLogReader.Cursor hint) {
        checkOpenUnlocked();
        if (fromLsn > state.position.lastLsn()) {
            return new ReplicaLogReader.Batch(List.of(), hint);
        }
        state.wal.writeBuffered();
        return logReader.read(fromLsn, maxBytes, hint, memTableFlush.flushedLsn(), () -> logResolver);
    }

    /**
     * Applies ops shipped by the leader, in order (a follower's write path): ops at or below {@link #lastLsn()}
     * are skipped, each next one is applied and logged with its own LSN and epoch; all are durable per the
     * WAL's fsync mode (one group commit) when this returns.
     *
     * @throws IllegalStateException when the op leaves a gap (the caller fetched from the wrong place)
     */
    public void applyReplicated(List<LogOp> ops) {
        long ticket;
        state.lock.writeLock().lock();
        try {
            checkOpen();
            ticket = replicatedOps.applyAll(ops, opEpoch -> {
                if (opEpoch > epoch) {
                    epoch = opEpoch;
                }
            });
        } catch (StorageIoException e) {
            throw stop(e);
        } finally {
            state.lock.writeLock().unlock();
        }
        commitWal(ticket);
        flushTrigger.afterWrite();
    }

    /**
     * Pins a consistent copy of the replica's durable state for a follower's full re-sync (see
     * {@link PinnedSnapshot}): flushes, then, holding off flushes, compactions and retention only while it copies the
     * MANIFEST, the series dictionary and the field schema and hard-links every live part, pins them in
     * {@code snapshots/<n>/}. Ops after its LSN are in the WAL, kept until the follower fetched them. The caller
     * streams the files at its own pace and closes the pin.
     */
    public PinnedSnapshot pinSnapshot() {
        flush();
        state.maintenanceLock.lock();
        try {
            checkOpenUnlocked();
            Path pin =
                    state.dir.resolve(ShardFiles.SNAPSHOTS_DIR).resolve(Long.toString(snapshotSeq.incrementAndGet()));
            List<PinnedSnapshot.File> files = new ArrayList<>();
            try {
                Files.createDirectories(pin);
                for (String name : List.of(ShardFiles.MANIFEST, ShardFiles.SERIES_DICT, ShardFiles.SCHEMA)) {
                    Path copy = pin.resolve(name);
                    Files.copy(state.dir.resolve(name), copy);
                    files.add(new PinnedSnapshot.File(name, copy));
                }
                for (PartReader p : state.partStore.snapshot().all()) {
                    String rel = state.dir.relativize(p.path()).toString().replace(File.separatorChar, '/');
                    Path link = pin.resolve(rel);
                    Files.createDirectories(link.getParent());
                    Files.createLink(link, p.path());
                    files.add(new PinnedSnapshot.File(rel, link));
                }
            } catch (IOException e) {
                new PinnedSnapshot(pin, files, 0).close();
                throw new StorageIoException("cannot pin a snapshot [dir=" + pin + "]", e);
            }
            return new PinnedSnapshot(pin, List.copyOf(files), memTableFlush.flushedLsn());
        } finally {
            state.maintenanceLock.unlock();
        }
    }

    // ---------------------------------------------------------------- queries

    /**
     * Runs a leaf query. The result answers the query's range narrowed to the span this shard's data can be in
     * ({@link PartialTable}'s window; 0 buckets when there is none), on the query's bucket grid.
     *
     * @throws InvalidInputException when the narrowed range has more than {@link LeafQuery#MAX_BUCKETS} buckets,
     *                               or groups x buckets exceed {@link LeafQuery#MAX_CELLS}
     */
    public PartialTable query(LeafQuery q) {
        return query(q, () -> false);
    }

    /**
     * Runs a leaf query that stops with a {@link io.meridian.common.error.QueryCancelledException} once
     * {@code cancelled} answers true (asked every few hundred series): a caller that gave up does not keep the scan
     * going.
     */
    public PartialTable query(LeafQuery q, BooleanSupplier cancelled) {
        long started = System.nanoTime();
        List<PartReader> acquired = new ArrayList<>();
        state.lock.readLock().lock();
        boolean locked = true;
        try {
            checkOpen();
            Optional<LeafAggregator.View> view = queryPlanner.plan(q, acquired);
            PartialTable r;
            if (view.isEmpty()) {
                r = q.emptyResult();
            } else {
                LeafAggregator aggregator = new LeafAggregator(view.get(), state.partStore.cache(), cancelled);
                if (aggregator.readsMemtablesWithParts()) {
                    r = aggregator.run();
                } else {
                    // memtables under the read lock (writers change them); the acquired parts without it, so that a
                    // long scan does not hold writers back
                    aggregator.scanMemtables();
                    state.lock.readLock().unlock();
                    locked = false;
                    r = aggregator.scanPartsAndFinish();
                }
            }
            state.metrics.queried(System.nanoTime() - started);
            return r;
        } finally {
            if (locked) {
                state.lock.readLock().unlock();
            }
            acquired.forEach(PartReader::release);
        }
    }

    /** Series ids of a metric matching a predicate (for metadata queries and tests). */
    public int seriesCount(String metric) {
        return readOpen(() -> state.postings.metricCardinality(metric));
    }

    public Set<String> metrics() {
        return readOpen(() -> Set.copyOf(state.postings.metrics()));
    }

    /** Distinct values of a tag key among the series of a metric. */
    /** The tag keys the metric's series carry, sorted; empty for an unknown metric. */
    public List<String> tagKeys(String metric) {
        return readOpen(() -> state.postings.tagKeys(state.postings.metric(metric)));
    }

    public List<String> tagValues(String metric, String tagKey) {
        return readOpen(() -> state.postings.tagValues(tagKey, state.postings.metric(metric)));
    }

    // ---------------------------------------------------------------- maintenance

    /**
     * Writes the memtable as parts and drops the WAL segments it covered. No-op when empty. A memtable whose
     * earlier flush failed is written first (and alone).
     *
     * @return the points written as parts (0 when the memtable was empty)
     * @throws StorageIoException when the parts could not be written (nothing changed; the next flush retries)
     * @throws ShardUnavailableException when the shard stopped after a storage failure
     */
    public long flush() {
        state.maintenanceLock.lock();
        try {
            if (pendingFlush == null) {
                state.lock.writeLock().lock();
                try {
                    checkOpen();
                    if (state.memTables.active().isEmpty()) {
                        return 0;
                    }
                    pendingFlush = memTableFlush.freeze();
                } finally {
                    state.lock.writeLock().unlock();
                }
            } else {
                checkOpenUnlocked();
                LOG.info(
                        "retrying a failed flush [dir={}, points={}]",
                        state.dir,
                        pendingFlush.memtable().points());
            }
            long points = pendingFlush.memtable().points();
            memTableFlush.write(pendingFlush);
            pendingFlush = null;
            return points;
        } catch (PartsNotWrittenException e) {
            state.metrics.flushFailed();
            LOG.warn(
                    "flush could not write its parts; nothing changed, retried at the next flush [dir={}]: {}",
                    state.dir,
                    e.getMessage());
            throw e.ioFailure();
        } catch (StorageIoException e) {
            throw stop(e);
        } finally {
            state.maintenanceLock.unlock();
            flushTrigger.publish(); // the frozen memtable is gone (or, after a failure, still held): say so
        }
    }

    /**
     * Merges the parts of every (segment, interval) that has at least {@code minParts} of them.
     * @return number of merges done
     */
    public int compact(int minParts) {
        state.maintenanceLock.lock();
        try {
            checkOpenUnlocked();
            return state.partStore.compact(minParts);
        } catch (PartsNotWrittenException e) {
            throw e.ioFailure();
        } catch (StorageIoException e) {
            throw stop(e);
        } finally {
            state.maintenanceLock.unlock();
        }
    }

    /** Compacts with the configured threshold. */
    public int compact() {
        return compact(state.options.compactionMinParts());
    }

    /**
     * Drops whole segments of each interval family older than that interval's retention.
     * @return number of parts dropped
     */
    public int applyRetention() {
        state.maintenanceLock.lock();
        try {
            checkOpenUnlocked();
            return state.partStore.applyRetention(state.options.clock().millis());
        } catch (StorageIoException e) {
            throw stop(e);
        } finally {
            state.maintenanceLock.unlock();
        }
    }

    /** Fsyncs the WAL (the interval fsync mode's background tick). */
    public void syncWal() {
        try {
            state.wal.sync();
        } catch (StorageIoException e) {
            throw stop(e);
        }
    }

    /** Waits until the WAL holds {@code ticket} durably; a WAL failure stops the shard. */
    private void commitWal(long ticket) {
        try {
            state.wal.commit(ticket);
        } catch (StorageIoException e) {
            throw stop(e);
        }
    }

    /**
     * Stops the shard after a storage failure (the first one is kept and logged) and returns the retriable error
     * the caller throws.
     */
    private ShardUnavailableException stop(StorageIoException e) {
        synchronized (this) {
            if (failure == null) {
                failure = e;
                state.metrics.failed();
                LOG.error(
                        "shard stopped after a storage failure: it takes no writes and answers no reads until it is "
                                + "reopened from its files [dir={}]",
                        state.dir,
                        e);
            }
        }
        return unavailable();
    }

    private ShardUnavailableException unavailable() {
        return new ShardUnavailableException(
                "shard stopped after a storage failure [dir=" + state.dir + "]: "
                        + failure.getMessage()
                        + "; nothing after it was acknowledged, retry (another replica or the reopened "
                        + "shard answers)",
                failure);
    }

    /** The storage failure that stopped this shard, or null while it serves. */
    public StorageIoException failure() {
        return failure;
    }

    // ---------------------------------------------------------------- stats

    public ShardStats stats() {
        state.lock.readLock().lock();
        try {
            long partBytes = 0;
            List<PartReader> all = state.partStore.snapshot().all();
            for (PartReader p : all) {
                partBytes += p.fileBytes();
            }
            return new ShardStats(
                    state.dictionary.size(),
                    all.size(),
                    partBytes,
                    state.wal.diskBytes(),
                    state.memTables.points(),
                    state.memTables.bytes(),
                    state.dictionary.estimatedHeapBytes() + state.postings.estimatedHeapBytes());
        } finally {
            state.lock.readLock().unlock();
        }
    }

    public Path directory() {
        return state.dir;
    }

    public boolean isClosed() {
        return readLocked(() -> closed);
    }

    /** Milliseconds since the oldest unflushed point was written; 0 when the memtable is empty. */
    public long memtableAgeMillis() {
        return readLocked(
                () -> state.memTables.activeAgeMillis(state.options.clock().millis()));
    }

    public ShardOptions options() {
        return state.options;
    }

    /** {@code read}'s result, computed under the read lock. */
    private <T> T readLocked(Supplier<T> read) {
        state.lock.readLock().lock();
        try {
            return read.get();
        } finally {
            state.lock.readLock().unlock();
        }
    }

    /** {@code read}'s result, computed under the read lock on an open shard. */
    private <T> T readOpen(Supplier<T> read) {
        return readLocked(() -> {
            checkOpen();
            return read.get();
        });
    }

    /** {@link #checkOpen} for a caller that does not hold the lock. */
    private void checkOpenUnlocked() {
        readOpen(() -> null);
    }

    private void checkOpen() {
        if (closed) {
            throw new ShardUnavailableException("shard is closed [dir=" + state.dir + "]", null);
        }
        if (failure != null) {
            throw unavailable();
        }
    }

    private void closeQuietly(AutoCloseable... files) {
        for (AutoCloseable f : files) {
            try {
                f.close();
            } catch (Exception e) {
                LOG.warn("cannot close a file of a stopped shard [dir={}]: {}", state.dir, e.toString());
            }
        }
    }

    /** Closes files. Unflushed points stay in the WAL and are replayed on the next open. */
    @Override
    public void close() {
        state.maintenanceLock.lock();
        state.lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (failure != null) {
                // files of a stopped shard are not written again (a failed file may take writes that cannot be
                // trusted); the next open recovers from what is on disk
                closeQuietly(state.wal, state.dictionary, state.schema, state.partStore);
            } else {
                state.wal.close();
                state.dictionary.close();
                state.schema.close();
                state.partStore.close();
            }
            state.metrics.unbind();
            flushTrigger.leaveNode();
        } finally {
            state.lock.writeLock().unlock();
            state.maintenanceLock.unlock();
        }
    }
}
