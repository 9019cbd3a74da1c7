package io.meridian.storage.engine;

import io.meridian.storage.memtable.MemTableWriter;
import io.meridian.storage.shard.WriteBatch;
import io.meridian.storage.txn.StagedTransactions;
import io.meridian.storage.txn.WriterSequences;
import io.meridian.storage.wal.OpLog;
import io.meridian.storage.wal.WalRecordType;
import java.util.List;

/**
 * The steps of an exactly-once writer's transaction (stage, commit, abort) as ops of the replica log: each is
 * logged ({@link OpLog}), then applied to the {@link StagedTransactions} or the memtable. Shared by the
 * leader's write path ({@link Shard}, with the next LSN) and the follower's ({@link ReplicatedOps}, with the
 * shipped op's LSN), which each decide what a step that already happened means.
 *
 * <p>Not thread-safe: called under the shard's write lock.
 */
final class TransactionOps {
    /** What {@link #abort} returns when the transaction staged nothing (and nothing was logged). */
    static final long NOTHING_STAGED = -1;

    private final SeriesResolver resolver;
    private final OpLog opLog;
    private final MemTableWriter memTableWriter;
    private final WriterSequences writerSequences;
    private final StagedTransactions staged;

    TransactionOps(
            SeriesResolver resolver,
            OpLog opLog,
            MemTableWriter memTableWriter,
            WriterSequences writerSequences,
            StagedTransactions staged) {
        this.resolver = resolver;
        this.opLog = opLog;
        this.memTableWriter = memTableWriter;
        this.writerSequences = writerSequences;
        this.staged = staged;
    }

    /** The commit of a transaction (with the WAL ticket of its commit record), or null when it has not committed. */
    WriterSequences.Entry committed(String writerId, long transactionId) {
        return writerSequences.duplicateOf(WriterSequences.TXN_PREFIX + writerId, transactionId);
    }

    /** Resolves a validated batch, logs it (as op {@code lsn}) and stages it; returns the WAL ticket. */
    long stage(String writerId, long transactionId, WriteBatch batch, long lsn, long opEpoch) {
        List<StagedTransactions.Staged> points = resolver.resolveStaged(batch);
        int type = batch.hasPartials() ? WalRecordType.STAGED_PARTIALS : WalRecordType.STAGED;
        long ticket = opLog.transaction(type, writerId, transactionId, points, lsn, opEpoch);
        staged.add(writerId, transactionId, points);
        return ticket;
    }

    /** Logs the commit (as op {@code lsn}) and makes the staged points visible; returns the WAL ticket. */
    long commit(String writerId, long transactionId, long lsn, long opEpoch) {
        long ticket = opLog.transaction(WalRecordType.COMMIT, writerId, transactionId, null, lsn, opEpoch);
        memTableWriter.commit(writerId, transactionId, ticket);
        return ticket;
    }

    /**
     * Drops what a transaction staged and logs the abort (as op {@code lsn}); returns the WAL ticket, or
     * {@link #NOTHING_STAGED} when it staged nothing (or already committed).
     */
    long abort(String writerId, long transactionId, long lsn, long opEpoch) {
        if (staged.remove(writerId, transactionId).isEmpty()) {
            return NOTHING_STAGED;
        }
        return opLog.transaction(WalRecordType.ABORT, writerId, transactionId, null, lsn, opEpoch);
    }
}
