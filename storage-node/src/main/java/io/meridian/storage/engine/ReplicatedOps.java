package io.meridian.storage.engine;

import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.replication.log.LogOp;
import io.meridian.storage.shard.WriteBatch;
import io.meridian.storage.txn.WriterSequences;
import io.meridian.storage.wal.OpLog;
import io.meridian.storage.wal.ReplicaPosition;
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
    private final TransactionOps transactions;
    private final OpLog opLog;
    private final FieldSchema schema;
    private final WriterSequences writerSequences;

    ReplicatedOps(ShardState s, Appender appender, TransactionOps transactions) {
        this.dir = s.dir;
        this.position = s.position;
        this.appender = appender;
        this.transactions = transactions;
        this.opLog = s.opLog;
        this.schema = s.schema;
        this.writerSequences = s.writerSequences;
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
                throw new IllegalStateException("replica log gap [dir=" + dir + ", have=" + position.lastLsn() + "@"
                        + position.lastEpoch() + ", got=" + op.lsn() + "@" + op.epoch() + "]");
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
                if (transactions.committed(op.writerId(), op.txnId()) == null) {
                    return transactions.stage(op.writerId(), op.txnId(), op.batch(), lsn, e);
                }
            }
            case COMMIT -> {
                if (transactions.committed(op.writerId(), op.txnId()) == null) {
                    return transactions.commit(op.writerId(), op.txnId(), lsn, e);
                }
            }
            case ABORT -> {
                long t = transactions.abort(op.writerId(), op.txnId(), lsn, e);
                if (t != TransactionOps.NOTHING_STAGED) {
                    return t;
                }
            }
            case DECLARE -> {
                LogOp.Declaration d = op.field();
                if (schema.get(d.metric(), d.field()) == null) {
                    return opLog.defineField(d.metric(), d.field(), d.type(), lsn, e);
                }
            }
            case NOOP -> {}
        }
        return opLog.noop(lsn, e);
    }
}
