package io.meridian.storage.engine;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.Names;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.block.PartReader;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.PostingsIndex;
import io.meridian.storage.index.SeriesDictionary;
import io.meridian.storage.memtable.MemTable;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.query.LeafResult;
import io.meridian.storage.wal.Wal;
import io.meridian.storage.wal.WalRecordType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.roaringbitmap.RoaringBitmap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard replica's storage: series dictionary, postings, field schema, WAL, memtable and the
 * interval families of every segment. The engine's public entry point.
 *
 * <pre>
 * write  -> validate (no change on error) -> define series/fields -> WAL append -> memtable -> commit -> ack
 * flush  -> freeze memtable, rotate WAL -> parts per (segment, interval) -> MANIFEST edit -> drop WAL
 * query  -> snapshot (parts + memtables) under read lock -> LeafAggregator
 * </pre>
 *
 * <p>Threading: writes and queries may come from any thread. Index and memtable mutations happen under
 * the write lock; queries snapshot under the read lock; flush, compaction and retention are serialized by
 * {@code maintenanceLock} and publish new part sets under the write lock.
 */
public final class Shard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);

    /** Namespace of committed transaction ids in {@link WriterSequences} (apart from batch sequences). */
    private static final String TXN_PREFIX = "txn/";
    /** Writers not seen for this long are forgotten by de-duplication (a week, like Kafka's producer ids). */
    static final long WRITER_RETENTION_MS = 7L * 86_400_000L;
    /** Daemon threads (one per core) that flush full memtables of every shard in the process. */
    private static final java.util.concurrent.ExecutorService BACKGROUND_FLUSHES = java.util.concurrent.Executors
            .newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
                Thread t = new Thread(r, "meridian-memtable-flush");
                t.setDaemon(true);
                return t;
            });
    /** Encoding buffer capacity kept between writes. */
    private static final int WAL_SCRATCH_RETAINED_BYTES = 1 << 16;

    private final Path dir;
    private final ShardOptions options;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ReentrantLock maintenanceLock = new ReentrantLock();
    private final java.util.concurrent.atomic.AtomicBoolean flushScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private final SeriesDictionary dictionary;
    private final FieldSchema schema;
    private final PostingsIndex postings = new PostingsIndex();
    private final PartStore partStore;
    private final WriterSequences writerSequences;
    private final StagedTransactions staged = new StagedTransactions();
    private final Wal wal;
    private final Flusher flusher;
    private final ShardMetrics metrics;
    private final ByteSink walScratch = new ByteSink(4096);
    private final ReplicaPosition position;
    private final ReplicaLogReader logReader;
    /** The epoch this replica stamps the ops it accepts as leader with. */
    private volatile long epoch;
    private volatile FlushGate flushGate = FlushGate.OPEN;
    /** The lowest LSN a follower still needs; WAL segments holding it outlive flushes. */
    private volatile java.util.function.LongSupplier neededLsn = () -> Long.MAX_VALUE;
    /** The last op the latest flush checkpoint covers (its WAL segments may be gone). */
    private volatile long flushedLsn;
    private volatile long maxRetainedWalBytes = Long.MAX_VALUE;
    private final List<MemTable> frozen = new ArrayList<>();
    private MemTable memtable = new MemTable();
    /** Clock time of the first point in the current memtable. */
    private long memtableCreatedMs;
    private boolean closed;

    private Shard(Path dir, ShardOptions options, ShardMetrics metrics) {
        this.dir = dir;
        this.options = options;
        this.metrics = metrics;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageIoException("cannot create shard directory [dir=" + dir + "]", e);
        }
        this.dictionary = SeriesDictionary.open(dir);
        this.schema = FieldSchema.open(dir);
        for (int id = 0; id < dictionary.nextId(); id++) {
            if (dictionary.keyBytes(id) != null) {
                postings.add(id, dictionary.key(id));
            }
        }
        this.partStore = new PartStore(dir, options, lock, metrics);
        this.writerSequences = WriterSequences.fromManifest(partStore.writers());
        this.position = partStore.replicaPosition();
        this.flushedLsn = position.lastLsn();
        Path walDir = dir.resolve(ShardFiles.WAL_DIR);
        long[] replayed = new long[1];
        this.wal = Wal.open(walDir, options.walFsync(), options.walSegmentBytes(), partStore.walCheckpoint(), (type, in) -> {
            replay(type, in);
            replayed[0]++;
        });
        this.epoch = Math.max(1, position.lastEpoch());
        this.logReader = new ReplicaLogReader(walDir);
        this.flusher = new Flusher(dir, options.database().intervals(), options.segmentMillis());
        metrics.bind(this);
        LOG.info("opened shard [dir={}, series={}, parts={}, walRecordsReplayed={}, memtablePoints={}, lsn={}, epoch={}]",
                dir, dictionary.size(), partStore.snapshot().all().size(), replayed[0], memtable.points(),
                position.lastLsn(), position.lastEpoch());
    }

    /** Opens (recovering from the WAL) or creates a shard in {@code dir}. */
    public static Shard open(Path dir, ShardOptions options) {
        return new Shard(dir, options, ShardMetrics.noop());
    }

    public static Shard open(Path dir, ShardOptions options, ShardMetrics metrics) {
        return new Shard(dir, options, metrics);
    }

    // ---------------------------------------------------------------- schema

    /**
     * Declares the type of a field (before or after data arrives). Undeclared fields are gauges.
     * @throws InvalidInputException on an invalid name, a type conflict or the fields-per-metric limit
     */
    public void declareField(String metric, String field, FieldType type) {
        Names.requireValid("metric", metric);
        Names.requireValid("field", field);
        lock.writeLock().lock();
        try {
            checkOpen();
            schema.checkCompatible(metric, field, type);
            if (schema.get(metric, field) == null) {
                checkFieldLimit(metric, 1);
                wal.commit(defineField(metric, field, type, nextLsn(), epoch));
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Defines a field in the schema and the WAL; returns the WAL ticket. With {@code lsn > 0} the definition is
     * a declaration op of the replica log.
     */
    private long defineField(String metric, String field, FieldType type, long lsn, long opEpoch) {
        FieldSchema.Field f = schema.define(metric, field, type);
        beginRecord(lsn, opEpoch, WalRecordType.FIELD_DEF);
        FieldSchema.encode(f, walScratch);
        return endRecord(lsn, opEpoch, WalRecordType.FIELD_DEF);
    }

    /** Starts a WAL payload in {@code walScratch}; a replica-log op ({@code lsn > 0}) gets the REPLICATED envelope. */
    private void beginRecord(long lsn, long opEpoch, int innerType) {
        walScratch.clear();
        if (lsn > 0) {
            walScratch.putVarLong(lsn).putVarLong(opEpoch).putVarInt(innerType);
        }
    }

    /** Appends the payload started by {@link #beginRecord}; a replica-log op advances the position. */
    private long endRecord(long lsn, long opEpoch, int innerType) {
        long ticket = wal.append(lsn > 0 ? WalRecordType.REPLICATED : innerType, walScratch);
        if (lsn > 0) {
            position.advance(lsn, opEpoch);
        }
        return ticket;
    }

    /** The LSN of the next op this replica accepts as leader; caller holds the write lock. */
    private long nextLsn() {
        return position.lastLsn() + 1;
    }

    public Map<String, FieldSchema.Field> fields(String metric) {
        lock.readLock().lock();
        try {
            checkOpen();
            return Map.copyOf(schema.fields(metric));
        } finally {
            lock.readLock().unlock();
        }
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
    public WriteResult write(WriteBatch batch) {
        WriteValidator.validate(batch, options);
        awaitMemory();
        long ticket;
        boolean duplicate = false;
        lock.writeLock().lock();
        try {
            checkOpen();
            WriterSequences.Entry applied = batch.writerId() == null ? null
                    : writerSequences.duplicateOf(batch.writerId(), batch.sequence());
            if (applied != null) {
                duplicate = true;
                ticket = applied.ticket;
            } else {
                ticket = appendLocked(batch, nextLsn(), epoch);
            }
        } finally {
            lock.writeLock().unlock();
        }
        return acknowledge(ticket, duplicate);
    }

    /** Logs (as op {@code lsn}) and applies a validated batch; caller holds the write lock. Returns the WAL ticket. */
    private long appendLocked(WriteBatch batch, long lsn, long opEpoch) {
        int[] seriesIds = new int[batch.series().size()];
        int[][] fieldIds = resolve(batch, seriesIds);
        int type = batch.writerId() == null ? WalRecordType.POINTS : WalRecordType.POINTS_FROM_WRITER;
        beginRecord(lsn, opEpoch, type);
        if (batch.writerId() != null) {
            WriterSequences.writeId(batch.writerId(), walScratch);
            walScratch.putVarLong(batch.sequence());
        }
        WalPoints.encode(batch, seriesIds, fieldIds, walScratch);
        long ticket = endRecord(lsn, opEpoch, type);
        walScratch.clearAndTrim(WAL_SCRATCH_RETAINED_BYTES);
        // honour storage.wal.segment-size between flushes; segments are still deleted only by flushes
        wal.rotateIfFull();
        if (batch.writerId() != null) {
            writerSequences.advance(batch.writerId(), batch.sequence(), options.clock().millis(), ticket);
        }
        if (memtable.isEmpty()) {
            memtableCreatedMs = options.clock().millis();
        }
        long points = 0;
        for (int i = 0; i < seriesIds.length; i++) {
            points += apply(memtable, seriesIds[i], fieldIds[i], batch.series().get(i).timestamps(),
                    batch.series().get(i).values());
        }
        metrics.pointsWritten(points);
        return ticket;
    }

    /**
     * Stages points in transaction {@code transactionId} of an exactly-once writer: durable when this returns,
     * invisible to queries until {@link #commit}. Staging into a transaction that already committed is a
     * late retry and is ignored ({@link WriteResult#DUPLICATE}).
     */
    public WriteResult stage(String writerId, long transactionId, WriteBatch batch) {
        WriteBatch checked = batch.withWriter(writerId, transactionId);
        WriteValidator.validate(checked, options);
        long ticket;
        int[] seriesIds = new int[batch.series().size()];
        lock.writeLock().lock();
        try {
            checkOpen();
            if (writerSequences.duplicateOf(TXN_PREFIX + writerId, transactionId) != null) {
                return WriteResult.DUPLICATE;
            }
            int[][] fieldIds = resolve(batch, seriesIds);
            List<StagedTransactions.Points> points = new ArrayList<>();
            for (int i = 0; i < seriesIds.length; i++) {
                WriteBatch.SeriesRows r = batch.series().get(i);
                points.add(new StagedTransactions.Points(seriesIds[i], fieldIds[i], r.timestamps(), r.values()));
            }
            ticket = logTransaction(WalRecordType.STAGED, writerId, transactionId, points, nextLsn(), epoch);
            staged.add(writerId, transactionId, points);
        } finally {
            lock.writeLock().unlock();
        }
        wal.commit(ticket);
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
        lock.writeLock().lock();
        try {
            checkOpen();
            WriterSequences.Entry done = writerSequences.duplicateOf(TXN_PREFIX + writerId, transactionId);
            duplicate = done != null;
            if (duplicate) {
                ticket = done.ticket;
                staged.remove(writerId, transactionId);
            } else {
                ticket = logTransaction(WalRecordType.COMMIT, writerId, transactionId, null, nextLsn(), epoch);
                applyCommit(writerId, transactionId, ticket);
            }
        } finally {
            lock.writeLock().unlock();
        }
        return acknowledge(ticket, duplicate);
    }

    /**
     * Waits (without the lock) until the WAL holds {@code ticket} durably, then flushes a full memtable.
     * A duplicate is acknowledged only once its original is durable.
     */
    private WriteResult acknowledge(long ticket, boolean duplicate) {
        wal.commit(ticket);
        if (duplicate) {
            metrics.duplicate();
            return WriteResult.DUPLICATE;
        }
        maybeFlush();
        return WriteResult.APPLIED;
    }

    /**
     * A full memtable is flushed in the background while writes go on into a fresh one; a writer that
     * fills the fresh one twice over flushes inline when no flush is running; while one runs, further writes
     * wait for it and then get a retriable BUSY ({@link #awaitMemory}): that is the back-pressure, so about three memtables' worth
     * of points at most are ever in memory.
     */
    private void maybeFlush() {
        long bytes = memtable.bytes();
        if (bytes < options.memtableBytes()) {
            return;
        }
        if (bytes >= 2 * options.memtableBytes()) {
            if (!maintenanceLock.isLocked()) {
                flush();
            } // else a flush is running (maybe waiting for followers): the next write gets a retriable BUSY
        } else if (flushScheduled.compareAndSet(false, true)) {
            BACKGROUND_FLUSHES.execute(() -> {
                try {
                    if (!isClosed()) {
                        flush();
                    }
                } catch (RuntimeException e) {
                    if (!isClosed()) {
                        LOG.error("background flush failed; the next write retries it [dir={}]", dir, e);
                    }
                } finally {
                    flushScheduled.set(false);
                }
            });
        }
    }

    /** Drops what a transaction staged (no-op when it staged nothing or already committed). */
    public void abort(String writerId, long transactionId) {
        long ticket;
        lock.writeLock().lock();
        try {
            checkOpen();
            if (staged.remove(writerId, transactionId).isEmpty()) {
                return;
            }
            ticket = logTransaction(WalRecordType.ABORT, writerId, transactionId, null, nextLsn(), epoch);
        } finally {
            lock.writeLock().unlock();
        }
        wal.commit(ticket);
    }

    /** Number of staged, not yet committed or aborted transactions. */
    public int pendingTransactions() {
        lock.readLock().lock();
        try {
            return staged.transactions();
        } finally {
            lock.readLock().unlock();
        }
    }

    private long logTransaction(int type, String writerId, long transactionId, List<StagedTransactions.Points> points,
                                long lsn, long opEpoch) {
        beginRecord(lsn, opEpoch, type);
        WriterSequences.writeId(writerId, walScratch);
        walScratch.putVarLong(transactionId);
        if (points != null) {
            WalPoints.encode(points, walScratch);
        }
        long ticket = endRecord(lsn, opEpoch, type);
        walScratch.clearAndTrim(WAL_SCRATCH_RETAINED_BYTES);
        return ticket;
    }

    private void applyCommit(String writerId, long transactionId, long ticket) {
        if (memtable.isEmpty()) {
            memtableCreatedMs = options.clock().millis();
        }
        long n = 0;
        for (StagedTransactions.Points p : staged.remove(writerId, transactionId)) {
            n += apply(memtable, p.seriesId(), p.fieldIds(), p.ts(), p.values());
        }
        writerSequences.advance(TXN_PREFIX + writerId, transactionId, options.clock().millis(), ticket);
        metrics.pointsWritten(n);
    }

    /** The highest applied sequence of a writer (0 when unknown): where a restarted writer resumes. */
    public long writerSequence(String writerId) {
        lock.readLock().lock();
        try {
            return writerSequences.sequence(writerId);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Resolves (defining when new) series and field ids; checks limits and types before any change. */
    private int[][] resolve(WriteBatch batch, int[] seriesIds) {
        List<WriteBatch.SeriesRows> rows = batch.series();
        Map<String, Integer> newSeriesPerMetric = new java.util.HashMap<>();
        Map<String, Set<String>> newFields = new java.util.HashMap<>();
        Set<ByteKey> seen = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            WriteBatch.SeriesRows r = rows.get(i);
            Integer id = dictionary.getOrNull(batch.canonicalKey(i));
            if (id == null && seen.add(new ByteKey(batch.canonicalKey(i)))) {
                newSeriesPerMetric.merge(r.key().metric(), 1, Integer::sum);
            }
            for (String f : r.fields()) {
                FieldSchema.Field known = schema.get(r.key().metric(), f);
                if (known == null) {
                    newFields.computeIfAbsent(r.key().metric(), k -> new HashSet<>()).add(f);
                } else if (known.type() == FieldType.HISTOGRAM) {
                    WriteValidator.checkHistogramValues(r, f);
                }
            }
        }
        newSeriesPerMetric.forEach((metric, n) -> {
            int existing = postings.metricCardinality(metric);
            if ((long) existing + n > options.maxSeriesPerMetric()) {
                throw new InvalidInputException(ErrorCode.LIMIT_EXCEEDED, "too many series [metric=" + metric
                        + "]: " + existing + " exist and the write adds " + n + "; limit storage.limits.series-per-metric="
                        + options.maxSeriesPerMetric());
            }
        });
        newFields.forEach((metric, names) -> checkFieldLimit(metric, names.size()));
        // validation passed: define
        newFields.forEach((metric, names) -> names.stream().sorted().forEach(n -> defineField(metric, n, FieldType.GAUGE, 0, 0)));
        int[][] fieldIds = new int[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            WriteBatch.SeriesRows r = rows.get(i);
            Integer id = dictionary.getOrNull(batch.canonicalKey(i));
            if (id == null) {
                id = dictionary.define(batch.canonicalKey(i));
                postings.add(id, r.key());
                walScratch.clear();
                walScratch.putVarInt(id).put(batch.canonicalKey(i));
                wal.append(WalRecordType.SERIES_DEF, walScratch);
            }
            seriesIds[i] = id;
            int[] f = new int[r.fields().size()];
            for (int j = 0; j < f.length; j++) {
                f[j] = schema.get(r.key().metric(), r.fields().get(j)).id();
            }
            fieldIds[i] = f;
        }
        dictionary.write();
        return fieldIds;
    }

    private void checkFieldLimit(String metric, int adding) {
        int existing = schema.fieldCount(metric);
        if (existing + adding > options.maxFieldsPerMetric()) {
            throw new InvalidInputException(ErrorCode.LIMIT_EXCEEDED, "too many fields [metric=" + metric + "]: "
                    + existing + " exist and the write adds " + adding + "; limit storage.limits.fields-per-metric="
                    + options.maxFieldsPerMetric());
        }
    }

    private static long apply(MemTable m, int seriesId, int[] fieldIds, long[] ts, double[] values) {
        return m.appendRows(seriesId, fieldIds, ts, values);
    }

    private void replay(int type, ByteSource in) {
        if (type == WalRecordType.REPLICATED) {
            long lsn = in.getVarLong();
            long opEpoch = in.getVarLong();
            int inner = in.getVarInt(WalRecordType.REPLICATED - 1, "replicated record type");
            if (lsn <= position.lastLsn()) {
                return; // already in parts (a segment the checkpoint covers)
            }
            if (lsn != position.lastLsn() + 1 || opEpoch < position.lastEpoch()) {
                throw in.corrupt("replica log out of order: op " + lsn + " of epoch " + opEpoch + " after "
                        + position.lastLsn() + " of epoch " + position.lastEpoch());
            }
            position.advance(lsn, opEpoch);
            if (inner != WalRecordType.NOOP) {
                replay(inner, in);
            }
            return;
        }
        switch (type) {
            case WalRecordType.SERIES_DEF -> {
                int id = in.getVarInt(Integer.MAX_VALUE, "series id");
                byte[] key = new byte[in.remaining()];
                in.getBytes(key, 0, key.length);
                boolean known = id < dictionary.nextId() && dictionary.keyBytes(id) != null;
                dictionary.replay(id, key);
                if (!known) {
                    postings.add(id, SeriesKey.fromCanonical(key));
                }
            }
            case WalRecordType.FIELD_DEF -> schema.replay(FieldSchema.decode(in));
            case WalRecordType.POINTS -> WalPoints.decode(in, (seriesId, fieldIds, ts, values) ->
                    apply(memtable, seriesId, fieldIds, ts, values));
            case WalRecordType.POINTS_FROM_WRITER -> {
                String writer = WriterSequences.readId(in);
                long sequence = in.getVarLong();
                if (writerSequences.duplicateOf(writer, sequence) == null) {
                    writerSequences.advance(writer, sequence, options.clock().millis(), 0);
                    WalPoints.decode(in, (seriesId, fieldIds, ts, values) -> apply(memtable, seriesId, fieldIds, ts, values));
                }
            }
            case WalRecordType.STAGED -> {
                String writer = WriterSequences.readId(in);
                long txn = in.getVarLong();
                List<StagedTransactions.Points> points = new ArrayList<>();
                WalPoints.decode(in, (seriesId, fieldIds, ts, values) ->
                        points.add(new StagedTransactions.Points(seriesId, fieldIds, ts, values)));
                if (writerSequences.duplicateOf(TXN_PREFIX + writer, txn) == null) {
                    staged.add(writer, txn, points);
                }
            }
            case WalRecordType.COMMIT -> {
                String writer = WriterSequences.readId(in);
                long txn = in.getVarLong();
                if (writerSequences.duplicateOf(TXN_PREFIX + writer, txn) == null) {
                    applyCommit(writer, txn, 0);
                } else {
                    staged.remove(writer, txn);
                }
            }
            case WalRecordType.ABORT -> staged.remove(WriterSequences.readId(in), in.getVarLong());
            default -> throw in.corrupt("unknown WAL record type " + type);
        }
    }

    /** How long a writer waits for a running flush before it gets a BUSY error. */
    static final long MEMORY_WAIT_MS = 2_000;

    /**
     * Back-pressure: while a flush is running and the fresh memtable is full twice over, a writer waits for the
     * flush (up to {@link #MEMORY_WAIT_MS}); if it is still running (a replicated shard's flush may be waiting for
     * its followers) the write is refused with a retriable BUSY instead of growing the heap. Nothing changed.
     */
    private void awaitMemory() {
        if (!memoryOverBound()) {
            return;
        }
        try {
            if (maintenanceLock.tryLock(MEMORY_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                maintenanceLock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (memoryOverBound()) {
            metrics.busy();
            throw new io.meridian.common.error.BusyException("shard is flushing and its memtable is full [dir=" + dir
                    + ", limit=storage.memtable.size x 2]: retry shortly");
        }
    }

    private boolean memoryOverBound() {
        lock.readLock().lock();
        try {
            return !frozen.isEmpty() && memtable.bytes() >= 2 * options.memtableBytes();
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- replication

    /** The last replica-log sequence number this replica holds (0 when empty). */
    public long lastLsn() {
        return position.lastLsn();
    }

    /** The epoch of the op at {@link #lastLsn()} (0 when empty). */
    public long lastEpoch() {
        lock.readLock().lock();
        try {
            return position.lastEpoch();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The last LSN this log holds of {@code opEpoch} or earlier (where a replica of that epoch diverged). */
    public long endOfEpoch(long opEpoch) {
        lock.readLock().lock();
        try {
            return position.endOfEpoch(opEpoch);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Sets the epoch that ops accepted from now on (as leader) carry; epochs never go back. */
    public void setEpoch(long newEpoch) {
        lock.writeLock().lock();
        try {
            if (newEpoch < position.lastEpoch()) {
                throw new IllegalArgumentException("shard epoch cannot go back [dir=" + dir + ", epoch=" + newEpoch
                        + ", logEpoch=" + position.lastEpoch() + "]");
            }
            epoch = newEpoch;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** What a flush waits for before it makes frozen ops permanent (the replication layer's commit point). */
    public void setFlushGate(FlushGate gate) {
        this.flushGate = java.util.Objects.requireNonNull(gate, "gate");
    }

    /**
     * The lowest LSN followers still need: WAL segments holding it are kept across flushes, up to
     * {@code maxRetainedBytes} of segments the checkpoint already covers.
     */
    public void setNeededLsn(java.util.function.LongSupplier needed, long maxRetainedBytes) {
        this.neededLsn = java.util.Objects.requireNonNull(needed, "needed");
        this.maxRetainedWalBytes = maxRetainedBytes;
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
        if (fromLsn > position.lastLsn()) {
            return new ReplicaLogReader.Batch(List.of(), hint);
        }
        wal.writeBuffered();
        return logReader.read(fromLsn, maxBytes, hint, flushedLsn, this::resolveForLog);
    }

    private ReplicaLogReader.Resolver resolveForLog() {
        return new ReplicaLogReader.Resolver() {
            @Override
            public SeriesKey series(int id) {
                lock.readLock().lock();
                try {
                    return dictionary.key(id);
                } finally {
                    lock.readLock().unlock();
                }
            }

            @Override
            public FieldSchema.Field field(int id) {
                lock.readLock().lock();
                try {
                    return schema.byId(id);
                } finally {
                    lock.readLock().unlock();
                }
            }
        };
    }

    /**
     * Applies ops shipped by the leader, in order (a follower's write path): ops at or below {@link #lastLsn()}
     * are skipped, each next one is applied and logged with its own LSN and epoch; all are durable per the
     * WAL's fsync mode (one group commit) when this returns.
     *
     * @throws IllegalStateException when the op leaves a gap (the caller fetched from the wrong place)
     */
    public void applyReplicated(List<LogOp> ops) {
        long ticket = 0;
        lock.writeLock().lock();
        try {
            checkOpen();
            for (LogOp op : ops) {
                if (op.lsn() <= position.lastLsn()) {
                    continue;
                }
                if (op.lsn() != position.lastLsn() + 1 || op.epoch() < position.lastEpoch()) {
                    throw new IllegalStateException("replica log gap [dir=" + dir + ", have=" + position.lastLsn()
                            + "@" + position.lastEpoch() + ", got=" + op.lsn() + "@" + op.epoch() + "]");
                }
                ticket = applyLocked(op);
                if (op.epoch() > epoch) {
                    epoch = op.epoch();
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
        wal.commit(ticket);
        maybeFlush();
    }

    private long applyLocked(LogOp op) {
        long lsn = op.lsn();
        long e = op.epoch();
        switch (op.kind()) {
            case WRITE -> {
                WriteBatch b = op.batch();
                if (b.writerId() == null || writerSequences.duplicateOf(b.writerId(), b.sequence()) == null) {
                    return appendLocked(b, lsn, e);
                }
            }
            case STAGE -> {
                if (writerSequences.duplicateOf(TXN_PREFIX + op.writerId(), op.txnId()) == null) {
                    int[] seriesIds = new int[op.batch().series().size()];
                    int[][] fieldIds = resolve(op.batch(), seriesIds);
                    List<StagedTransactions.Points> points = new ArrayList<>();
                    for (int i = 0; i < seriesIds.length; i++) {
                        WriteBatch.SeriesRows r = op.batch().series().get(i);
                        points.add(new StagedTransactions.Points(seriesIds[i], fieldIds[i], r.timestamps(), r.values()));
                    }
                    long t = logTransaction(WalRecordType.STAGED, op.writerId(), op.txnId(), points, lsn, e);
                    staged.add(op.writerId(), op.txnId(), points);
                    return t;
                }
            }
            case COMMIT -> {
                if (writerSequences.duplicateOf(TXN_PREFIX + op.writerId(), op.txnId()) == null) {
                    long t = logTransaction(WalRecordType.COMMIT, op.writerId(), op.txnId(), null, lsn, e);
                    applyCommit(op.writerId(), op.txnId(), t);
                    return t;
                }
            }
            case ABORT -> {
                if (!staged.remove(op.writerId(), op.txnId()).isEmpty()) {
                    return logTransaction(WalRecordType.ABORT, op.writerId(), op.txnId(), null, lsn, e);
                }
            }
            case DECLARE -> {
                LogOp.Declaration d = op.field();
                if (schema.get(d.metric(), d.field()) == null) {
                    return defineField(d.metric(), d.field(), d.type(), lsn, e);
                }
            }
            case NOOP -> { }
        }
        beginRecord(lsn, e, WalRecordType.NOOP);
        return endRecord(lsn, e, WalRecordType.NOOP);
    }

    /** Receives the files of a snapshot. */
    @FunctionalInterface
    public interface SnapshotSink {
        /** One file: its path relative to the shard directory ('/'-separated) and where to read it now. */
        void file(String relativePath, Path file);
    }

    /**
     * Hands a consistent copy of the replica's durable state to {@code sink} for a follower's full re-sync:
     * flushes, then (holding off flushes, compactions and retention) the MANIFEST, the series dictionary, the
     * field schema and every live part. Ops after the returned LSN are in the WAL, kept until the follower
     * fetched them.
     *
     * @return the last LSN the snapshot holds
     */
    public long snapshot(SnapshotSink sink) {
        flush();
        maintenanceLock.lock();
        try {
            checkOpenUnlocked();
            sink.file(Manifest.FILE_NAME, dir.resolve(Manifest.FILE_NAME));
            sink.file(SeriesDictionary.FILE_NAME, dir.resolve(SeriesDictionary.FILE_NAME));
            sink.file(FieldSchema.FILE_NAME, dir.resolve(FieldSchema.FILE_NAME));
            for (PartReader p : partStore.snapshot().all()) {
                sink.file(dir.relativize(p.path()).toString().replace(java.io.File.separatorChar, '/'), p.path());
            }
            return flushedLsn;
        } finally {
            maintenanceLock.unlock();
        }
    }

    // ---------------------------------------------------------------- queries

    public LeafResult query(LeafQuery q) {
        long started = System.nanoTime();
        LeafAggregator.View view;
        List<PartReader> acquired = new ArrayList<>();
        lock.readLock().lock();
        try {
            checkOpen();
            RoaringBitmap series = postings.resolve(q.metric(), q.predicate());
            int bound = dictionary.nextId();
            int[] groupOf = new int[bound];
            List<List<String>> groups = new ArrayList<>();
            LeafAggregator.assignGroups(q, series, bound, (key, consumer) -> postings.forEachValue(key, series, consumer),
                    groupOf, groups);
            int[] fieldIds = new int[q.fields().size()];
            boolean[] histogram = new boolean[fieldIds.length];
            for (int i = 0; i < fieldIds.length; i++) {
                FieldSchema.Field f = schema.get(q.metric(), q.fields().get(i));
                fieldIds[i] = f == null ? -1 : f.id();
                histogram[i] = f != null && f.type() == FieldType.HISTOGRAM;
            }
            long iv = LeafAggregator.chooseInterval(q, options.database().intervals());
            List<PartReader> ps = partStore.snapshot().parts(iv, q.startMs(), q.endMs(), options.segmentMillis());
            for (PartReader p : ps) {
                if (!p.acquire()) {
                    throw new IllegalStateException("BUG: retired part still published [file=" + p.path() + "]");
                }
                acquired.add(p);
            }
            List<MemTable> mems = new ArrayList<>(frozen);
            mems.add(memtable);
            view = new LeafAggregator.View(series, groupOf, groups, fieldIds, histogram, ps, mems, iv);
            // memtables are read under the read lock: writers mutate them
            LeafResult r = new LeafAggregator(q, view, partStore.cache()).run();
            metrics.queried(System.nanoTime() - started);
            return r;
        } finally {
            lock.readLock().unlock();
            acquired.forEach(PartReader::release);
        }
    }

    /** Series ids of a metric matching a predicate (for metadata queries and tests). */
    public int seriesCount(String metric) {
        lock.readLock().lock();
        try {
            checkOpen();
            return postings.metricCardinality(metric);
        } finally {
            lock.readLock().unlock();
        }
    }

    public Set<String> metrics() {
        lock.readLock().lock();
        try {
            checkOpen();
            return Set.copyOf(postings.metrics());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Distinct values of a tag key among the series of a metric. */
    public List<String> tagValues(String metric, String tagKey) {
        lock.readLock().lock();
        try {
            checkOpen();
            return postings.tagValues(tagKey, postings.metric(metric));
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- maintenance

    /** Writes the memtable as parts and drops the WAL segments it covered. No-op when empty. */
    public void flush() {
        maintenanceLock.lock();
        try {
            MemTable toFlush;
            long walSeq;
            ReplicaPosition frozenAt;
            FieldType[] types;
            Map<String, long[]> writersAtFreeze;
            long stagedTicket = 0;
            lock.writeLock().lock();
            try {
                checkOpen();
                if (memtable.isEmpty()) {
                    return;
                }
                toFlush = memtable;
                memtable = new MemTable();
                frozen.add(toFlush);
                walSeq = wal.rotate();
                frozenAt = position.copy();
                writersAtFreeze = writerSequences.snapshot(options.clock().millis(), WRITER_RETENTION_MS);
                // staged transactions must outlive the WAL segments being trimmed: log them again
                for (Map.Entry<StagedTransactions.Key, List<StagedTransactions.Points>> e : staged.pending().entrySet()) {
                    stagedTicket = logTransaction(WalRecordType.STAGED, e.getKey().writerId(), e.getKey().transactionId(),
                            e.getValue(), 0, 0);
                }
                dictionary.write();
                types = new FieldType[schema.nextId()];
                for (int i = 0; i < types.length; i++) {
                    types[i] = schema.byId(i).type();
                }
            } finally {
                lock.writeLock().unlock();
            }
            // a replica never flushes ops its leader may still truncate: only what the write concern committed
            flushGate.awaitCommitted(frozenAt.lastLsn());
            long started = System.nanoTime();
            dictionary.sync();
            schema.sync();
            List<String> written = flusher.flush(toFlush, types, partStore::nextSeq);
            // sequences of the flushed writes must outlive the WAL segments that carried them: the table is
            // recorded atomically with the checkpoint that retires those segments
            partStore.addFlushed(written, walSeq, writersAtFreeze, frozenAt, () -> frozen.remove(toFlush));
            flushedLsn = frozenAt.lastLsn();
            wal.commit(stagedTicket);
            wal.deleteBefore(logReader.retainFrom(walSeq, frozenAt.lastLsn(), neededLsn.getAsLong(), maxRetainedWalBytes));
            metrics.flushed(toFlush.points(), System.nanoTime() - started);
            LOG.info("flushed memtable [dir={}, points={}, parts={}, ms={}]", dir, toFlush.points(), written.size(),
                    (System.nanoTime() - started) / 1_000_000);
        } finally {
            maintenanceLock.unlock();
        }
    }

    /**
     * Merges the parts of every (segment, interval) that has at least {@code minParts} of them.
     * @return number of merges done
     */
    public int compact(int minParts) {
        maintenanceLock.lock();
        try {
            checkOpen();
            return partStore.compact(minParts);
        } finally {
            maintenanceLock.unlock();
        }
    }

    /** Compacts with the configured threshold. */
    public int compact() {
        return compact(options.compactionMinParts());
    }

    /**
     * Drops whole segments of each interval family older than that interval's retention.
     * @return number of parts dropped
     */
    public int applyRetention() {
        maintenanceLock.lock();
        try {
            checkOpen();
            return partStore.applyRetention(options.clock().millis());
        } finally {
            maintenanceLock.unlock();
        }
    }

    /** Fsyncs the WAL (the interval fsync mode's background tick). */
    public void syncWal() {
        wal.sync();
    }

    // ---------------------------------------------------------------- stats

    public ShardStats stats() {
        lock.readLock().lock();
        try {
            long partBytes = 0;
            List<PartReader> all = partStore.snapshot().all();
            for (PartReader p : all) {
                partBytes += p.fileBytes();
            }
            long memPoints = memtable.points();
            long memBytes = memtable.bytes();
            for (MemTable m : frozen) {
                memPoints += m.points();
                memBytes += m.bytes();
            }
            return new ShardStats(dictionary.size(), all.size(), partBytes, wal.diskBytes(), memPoints, memBytes,
                    dictionary.estimatedHeapBytes() + postings.estimatedHeapBytes());
        } finally {
            lock.readLock().unlock();
        }
    }

    public Path directory() { return dir; }

    public boolean isClosed() {
        lock.readLock().lock();
        try {
            return closed;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Milliseconds since the oldest unflushed point was written; 0 when the memtable is empty. */
    public long memtableAgeMillis() {
        lock.readLock().lock();
        try {
            return memtable.isEmpty() ? 0 : options.clock().millis() - memtableCreatedMs;
        } finally {
            lock.readLock().unlock();
        }
    }

    public ShardOptions options() { return options; }

    private void checkOpenUnlocked() {
        lock.readLock().lock();
        try {
            checkOpen();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new io.meridian.common.error.ShardUnavailableException("shard is closed [dir=" + dir + "]", null);
        }
    }

    /** Closes files. Unflushed points stay in the WAL and are replayed on the next open. */
    @Override
    public void close() {
        maintenanceLock.lock();
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            wal.close();
            dictionary.close();
            schema.close();
            partStore.close();
            metrics.unbind();
        } finally {
            lock.writeLock().unlock();
            maintenanceLock.unlock();
        }
    }

    private record ByteKey(byte[] b) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ByteKey k && java.util.Arrays.equals(b, k.b);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(b);
        }
    }
}
