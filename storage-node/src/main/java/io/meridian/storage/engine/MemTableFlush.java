package io.meridian.storage.engine;

import io.meridian.common.error.StorageIoException;
import io.meridian.common.model.FieldType;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.SeriesDictionary;
import io.meridian.storage.memtable.FlushGate;
import io.meridian.storage.memtable.Flusher;
import io.meridian.storage.memtable.MemTable;
import io.meridian.storage.memtable.MemTables;
import io.meridian.storage.part.PartStore;
import io.meridian.storage.part.PartsNotWrittenException;
import io.meridian.storage.replication.log.ReplicaLogReader;
import io.meridian.storage.shard.ShardMetrics;
import io.meridian.storage.txn.StagedTransactions;
import io.meridian.storage.txn.WriterSequences;
import io.meridian.storage.wal.OpLog;
import io.meridian.storage.wal.ReplicaPosition;
import io.meridian.storage.wal.Wal;
import io.meridian.storage.wal.WalRecordType;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes a shard's memtable in two phases. {@link #freeze} swaps in a fresh memtable, rotates the WAL and
 * captures what the flush's MANIFEST edit records (replica position, writer sequences, field types); staged
 * transactions are logged again so that they outlive the WAL segments being trimmed. {@link #write} then waits
 * for the {@link FlushGate}, writes the parts, publishes them atomically with the WAL checkpoint and trims the
 * WAL, keeping the segments that followers still need ({@link #setNeededLsn}).
 *
 * <p>Not thread-safe: called under the shard's maintenance lock; {@link #freeze} also under its write lock,
 * {@link #write} without it. The settings ({@link #setFlushGate}, {@link #setNeededLsn}) may change at any time.
 */
final class MemTableFlush {
    /** Logs as the shard: operators filter the engine's log by the shard's logger. */
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);
    /** Writers not seen for this long are forgotten by de-duplication (a week, like Kafka's producer ids). */
    static final long WRITER_RETENTION_MS = 7L * 86_400_000L;

    /** What {@link #freeze} captured for {@link #write}. */
    record Frozen(
            MemTable memtable,
            long walSeq,
            ReplicaPosition position,
            Map<String, long[]> writers,
            FieldType[] types,
            long stagedTicket) {}

    private final Path dir;
    private final ShardMetrics metrics;
    private final MemTables memTables;
    private final Wal wal;
    private final OpLog opLog;
    private final ReplicaPosition position;
    private final WriterSequences writerSequences;
    private final StagedTransactions staged;
    private final SeriesDictionary dictionary;
    private final FieldSchema schema;
    private final Flusher flusher;
    private final PartStore partStore;
    private final ReplicaLogReader logReader;
    private final Clock clock;
    private volatile FlushGate flushGate = FlushGate.OPEN;
    /** The lowest LSN a follower still needs; WAL segments holding it outlive flushes. */
    private volatile LongSupplier neededLsn = () -> Long.MAX_VALUE;

    private volatile long maxRetainedWalBytes = Long.MAX_VALUE;
    /** The last op the latest flush checkpoint covers (its WAL segments may be gone). */
    private volatile long flushedLsn;

    MemTableFlush(ShardState s, ReplicaLogReader logReader) {
        this.dir = s.dir;
        this.metrics = s.metrics;
        this.memTables = s.memTables;
        this.wal = s.wal;
        this.opLog = s.opLog;
        this.position = s.position;
        this.writerSequences = s.writerSequences;
        this.staged = s.staged;
        this.dictionary = s.dictionary;
        this.schema = s.schema;
        this.flusher = new Flusher(s.options.files(), dir, s.options.database().intervals(), s.options.segmentMillis());
        this.partStore = s.partStore;
        this.logReader = logReader;
        this.clock = s.options.clock();
        this.flushedLsn = position.lastLsn();
    }

    /** Freezes the (non-empty) active memtable; called under the shard's write lock. */
    Frozen freeze() {
        MemTable toFlush = memTables.freeze();
        long walSeq = wal.rotate();
        ReplicaPosition frozenAt = position.copy();
        Map<String, long[]> writersAtFreeze = writerSequences.snapshot(clock.millis(), WRITER_RETENTION_MS);
        long stagedTicket = 0;
        // staged transactions must outlive the WAL segments being trimmed: log them again
        for (Map.Entry<StagedTransactions.Key, List<StagedTransactions.Staged>> e :
                staged.pending().entrySet()) {
            List<StagedTransactions.Staged> points = new ArrayList<>();
            List<StagedTransactions.Staged> partials = new ArrayList<>();
            for (StagedTransactions.Staged st : e.getValue()) {
                (st instanceof StagedTransactions.Points ? points : partials).add(st);
            }
            String writer = e.getKey().writerId();
            long txn = e.getKey().transactionId();
            if (!points.isEmpty()) {
                stagedTicket = opLog.transaction(WalRecordType.STAGED, writer, txn, points, 0, 0);
            }
            if (!partials.isEmpty()) {
                stagedTicket = opLog.transaction(WalRecordType.STAGED_PARTIALS, writer, txn, partials, 0, 0);
            }
        }
        dictionary.write();
        FieldType[] types = new FieldType[schema.nextId()];
        for (int i = 0; i < types.length; i++) {
            types[i] = schema.byId(i).type();
        }
        return new Frozen(toFlush, walSeq, frozenAt, writersAtFreeze, types, stagedTicket);
    }

    /**
     * Writes a frozen memtable as parts once the flush gate lets it, publishes them with the WAL checkpoint and
     * trims the WAL; called without the shard's write lock.
     *
     * @throws PartsNotWrittenException when the parts could not be written: nothing changed, and the same frozen
     *                                  memtable must be written again before another one is frozen (the checkpoint
     *                                  must never pass it)
     */
    void write(Frozen f) {
        // a replica never flushes ops its leader may still truncate: only what the write concern committed
        flushGate.awaitCommitted(f.position().lastLsn());
        long started = System.nanoTime();
        // the definitions were handed to the OS under the write lock (freeze, define): only fsync here, without the
        // lock, never write (writers append to the files' buffers meanwhile)
        dictionary.force();
        schema.force();
        List<String> written;
        try {
            written = flusher.flush(f.memtable(), f.types(), partStore::nextSeq);
        } catch (StorageIoException e) {
            throw new PartsNotWrittenException(e);
        }
        // sequences of the flushed writes must outlive the WAL segments that carried them: the table is
        // recorded atomically with the checkpoint that retires those segments
        partStore.addFlushed(written, f.walSeq(), f.writers(), f.position(), () -> memTables.release(f.memtable()));
        flushedLsn = f.position().lastLsn();
        wal.commit(f.stagedTicket());
        wal.deleteBefore(
                logReader.retainFrom(f.walSeq(), f.position().lastLsn(), neededLsn.getAsLong(), maxRetainedWalBytes));
        metrics.flushed(f.memtable().points(), System.nanoTime() - started);
        LOG.info(
                "flushed memtable [dir={}, points={}, parts={}, ms={}]",
                dir,
                f.memtable().points(),
                written.size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    /** The last op the latest flush checkpoint covers. */
    long flushedLsn() {
        return flushedLsn;
    }

    /** What a flush waits for before it makes frozen ops permanent (the replication layer's commit point). */
    void setFlushGate(FlushGate gate) {
        this.flushGate = gate;
    }

    /**
     * The lowest LSN followers still need: WAL segments holding it are kept across flushes, up to
     * {@code maxRetainedBytes} of segments the checkpoint already covers.
     */
    void setNeededLsn(LongSupplier needed, long maxRetainedBytes) {
        this.neededLsn = needed;
        this.maxRetainedWalBytes = maxRetainedBytes;
    }
}
