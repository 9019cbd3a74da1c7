package io.meridian.storage.memtable;

import io.meridian.common.model.AggState;
import io.meridian.storage.shard.ShardMetrics;
import io.meridian.storage.shard.WriteBatch;
import io.meridian.storage.txn.StagedTransactions;
import io.meridian.storage.txn.WriterSequences;
import java.time.Clock;

/**
 * Applies logged writes to the shard's active memtable: the points of a batch (recording its writer's
 * sequence for de-duplication) and the staged points of a committed transaction. The WAL record of each
 * write is already appended ({@link OpLog}) or being replayed ({@link WalReplayer}).
 *
 * <p>Not thread-safe: called under the shard's write lock.
 */
public final class MemTableWriter {
    private final MemTables memTables;
    private final WriterSequences writerSequences;
    private final StagedTransactions staged;
    private final ShardMetrics metrics;
    private final Clock clock;

    public MemTableWriter(
            MemTables memTables,
            WriterSequences writerSequences,
            StagedTransactions staged,
            ShardMetrics metrics,
            Clock clock) {
        this.memTables = memTables;
        this.writerSequences = writerSequences;
        this.staged = staged;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Applies a batch resolved to {@code seriesIds} and {@code fieldIds} and logged with WAL ticket {@code ticket}. */
    public void applyBatch(WriteBatch batch, int[] seriesIds, int[][] fieldIds, long ticket) {
        if (batch.writerId() != null) {
            writerSequences.advance(batch.writerId(), batch.sequence(), clock.millis(), ticket);
        }
        memTables.startIfEmpty(clock);
        MemTable memtable = memTables.active();
        long points = 0;
        if (batch.hasPartials()) {
            for (int i = 0; i < seriesIds.length; i++) {
                WriteBatch.SeriesPartials p = batch.partials().get(i);
                points += appendPartials(memtable, seriesIds[i], fieldIds[i], p.slotStarts(), p.cells());
            }
            metrics.partialsWritten(points, batch.cellCount());
            return;
        }
        for (int i = 0; i < seriesIds.length; i++) {
            WriteBatch.SeriesRows r = batch.series().get(i);
            points += memtable.appendRows(seriesIds[i], fieldIds[i], r.timestamps(), r.values());
        }
        metrics.pointsWritten(points);
    }

    /** Appends one series' partial cells ({@code cells} row-major, null = no value); returns the points they hold. */
    public static long appendPartials(
            MemTable memtable, int seriesId, int[] fieldIds, long[] slotStarts, AggState[] cells) {
        long points = 0;
        int nf = fieldIds.length;
        for (int k = 0; k < cells.length; k++) {
            AggState c = cells[k];
            if (c != null && !c.isEmpty()) {
                memtable.appendPartial(seriesId, fieldIds[k % nf], slotStarts[k / nf], c);
                points += c.count();
            }
        }
        return points;
    }

    /**
     * Makes the points staged in a transaction visible and records the transaction as committed, with the WAL
     * ticket of its commit record (0 on replay). Lower transactions of the same writer that are still staged
     * can never commit any more and are dropped ({@link StagedTransactions#removeBelow}); this runs on the
     * leader, on followers and on WAL replay alike, so every replica drops the same ones.
     */
    public void commit(String writerId, long transactionId, long ticket) {
        memTables.startIfEmpty(clock);
        MemTable memtable = memTables.active();
        long n = 0;
        long partialPoints = 0;
        long partialCells = 0;
        for (StagedTransactions.Staged st : staged.remove(writerId, transactionId)) {
            if (st instanceof StagedTransactions.Points p) {
                n += memtable.appendRows(p.seriesId(), p.fieldIds(), p.ts(), p.values());
            } else if (st instanceof StagedTransactions.Partials p) {
                partialPoints += appendPartials(memtable, p.seriesId(), p.fieldIds(), p.slotStarts(), p.cells());
                for (AggState c : p.cells()) {
                    partialCells += c == null || c.isEmpty() ? 0 : 1;
                }
            }
        }
        metrics.partialsWritten(partialPoints, partialCells);
        writerSequences.advance(WriterSequences.TXN_PREFIX + writerId, transactionId, clock.millis(), ticket);
        staged.removeBelow(writerId, transactionId);
        metrics.pointsWritten(n);
    }
}
