package io.meridian.storage.engine;

import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.wal.WalRecordType;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Applies ops shipped by the leader, in order (a follower's write path), logging each with its own LSN and
 * epoch. Ops this replica already holds are skipped; an op whose effect it already has (a duplicate write, a
 * committed transaction staged again, an abort of nothing, a field already declared) is logged as a NOOP so
 * that the LSNs stay dense.
 *
 * <p>Not thread-safe: called under the shard's write lock.
 */
final class ReplicatedOps {
    /** The shard's own write path, which a replicated write goes through like a leader's. */
    @FunctionalInterface
    interface Appender {
        /** Logs (as op {@code lsn}) and applies a validated batch; returns the WAL ticket. */
        long append(WriteBatch batch, long lsn, long opEpoch);
    }

    private final Path dir;
    private final ReplicaPosition position;
    private final Appender appender;
    private final SeriesResolver resolver;
    private final OpLog opLog;
    private final MemTableWriter memTableWriter;
    private final FieldSchema schema;
    private final WriterSequences writerSequences;
    private final StagedTransactions staged;

    ReplicatedOps(Path dir, ReplicaPosition position, Appender appender, SeriesResolver resolver, OpLog opLog,
                  MemTableWriter memTableWriter, FieldSchema schema, WriterSequences writerSequences,
                  StagedTransactions staged) {
        this.dir = dir;
        this.position = position;
        this.appender = appender;
        this.resolver = resolver;
        this.opLog = opLog;
        this.memTableWriter = memTableWriter;
        this.schema = schema;
        this.writerSequences = writerSequences;
        this.staged = staged;
    }

    /**
     * Applies and logs the ops after the replica's last one, telling {@code applied} the epoch of each applied op.
     * Returns the WAL ticket of the last (0 when none was applied).
     *
     * @throws IllegalStateException when an op leaves a gap
     */
    long applyAll(List<LogOp> ops, LongConsumer applied) {
        long ticket = 0;
        for (LogOp op : ops) {
            if (op.lsn() <= position.lastLsn()) {
                continue;
            }
            if (op.lsn() != position.lastLsn() + 1 || op.epoch() < position.lastEpoch()) {
                throw new IllegalStateException("replica log gap [dir=" + dir + ", have=" + position.lastLsn()
                        + "@" + position.lastEpoch() + ", got=" + op.lsn() + "@" + op.epoch() + "]");
            }
            ticket = apply(op);
            applied.accept(op.epoch());
        }
        return ticket;
    }

    /** Applies and logs {@code op}, the op right after the replica's last one; returns the WAL ticket. */
    private long apply(LogOp op) {
        long lsn = op.lsn();
        long e = op.epoch();
        switch (op.kind()) {
            case WRITE -> {
                WriteBatch b = op.batch();
                if (b.writerId() == null || writerSequences.duplicateOf(b.writerId(), b.sequence()) == null) {
                    return appender.append(b, lsn, e);
                }
            }
            case STAGE -> {
                if (writerSequences.duplicateOf(WriterSequences.TXN_PREFIX + op.writerId(), op.txnId()) == null) {
                    List<StagedTransactions.Points> points = resolver.resolveStaged(op.batch());
                    long t = opLog.transaction(WalRecordType.STAGED, op.writerId(), op.txnId(), points, lsn, e);
                    staged.add(op.writerId(), op.txnId(), points);
                    return t;
                }
            }
            case COMMIT -> {
                if (writerSequences.duplicateOf(WriterSequences.TXN_PREFIX + op.writerId(), op.txnId()) == null) {
                    long t = opLog.transaction(WalRecordType.COMMIT, op.writerId(), op.txnId(), null, lsn, e);
                    memTableWriter.commit(op.writerId(), op.txnId(), t);
                    return t;
                }
            }
            case ABORT -> {
                if (!staged.remove(op.writerId(), op.txnId()).isEmpty()) {
                    return opLog.transaction(WalRecordType.ABORT, op.writerId(), op.txnId(), null, lsn, e);
                }
            }
            case DECLARE -> {
                LogOp.Declaration d = op.field();
                if (schema.get(d.metric(), d.field()) == null) {
                    return opLog.defineField(d.metric(), d.field(), d.type(), lsn, e);
                }
            }
            case NOOP -> { }
        }
        return opLog.noop(lsn, e);
    }
}
