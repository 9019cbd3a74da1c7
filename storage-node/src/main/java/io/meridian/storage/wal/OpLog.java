package io.meridian.storage.wal;

import io.meridian.common.model.FieldType;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.shard.WriteBatch;
import io.meridian.storage.txn.StagedTransactions;
import io.meridian.storage.txn.WriterSequences;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a shard's changes to its WAL: one record per series or field definition, point batch and
 * transaction step. A replica-log op ({@code lsn > 0}) is wrapped in the REPLICATED envelope
 * ({@code lsn <varlong>, epoch <varlong>, inner type <varint>}, then the inner payload) and advances the
 * replica position; with {@code lsn == 0} the record is written bare (local bookkeeping that is not an op,
 * such as series definitions and staged transactions logged again by a flush). {@link WalReplayer} reads
 * what this writes.
 *
 * <p>Methods return the WAL ticket to {@link Wal#commit} once the shard's lock is released.
 *
 * <p>Not thread-safe: called under the shard's write lock.
 */
public final class OpLog {
    /** Encoding buffer capacity kept between writes. */
    private static final int WAL_SCRATCH_RETAINED_BYTES = 1 << 16;

    private final Wal wal;
    private final ReplicaPosition position;
    private final FieldSchema schema;
    private final ByteSink walScratch = new ByteSink(4096);

    public OpLog(Wal wal, ReplicaPosition position, FieldSchema schema) {
        this.wal = wal;
        this.position = position;
        this.schema = schema;
    }

    /**
     * Defines a field in the schema and the WAL; returns the WAL ticket. With {@code lsn > 0} the definition is
     * a declaration op of the replica log.
     */
    public long defineField(String metric, String field, FieldType type, long lsn, long opEpoch) {
        FieldSchema.Field f = schema.define(metric, field, type);
        beginRecord(lsn, opEpoch, WalRecordType.FIELD_DEF);
        FieldSchema.encode(f, walScratch);
        return endRecord(lsn, opEpoch, WalRecordType.FIELD_DEF);
    }

    /** Logs the definition of a new series (never an op: followers get series by key inside the ops). */
    public void defineSeries(int id, byte[] canonicalKey) {
        walScratch.clear();
        walScratch.putVarInt(id).put(canonicalKey);
        wal.append(WalRecordType.SERIES_DEF, walScratch);
    }

    /**
     * Logs (as op {@code lsn}) a validated batch resolved to {@code seriesIds} and {@code fieldIds}, with its
     * writer id and sequence when it has one; returns the WAL ticket.
     */
    public long points(WriteBatch batch, int[] seriesIds, int[][] fieldIds, long lsn, long opEpoch) {
        boolean partials = batch.hasPartials();
        int type = batch.writerId() == null
                ? (partials ? WalRecordType.PARTIALS : WalRecordType.POINTS)
                : (partials ? WalRecordType.PARTIALS_FROM_WRITER : WalRecordType.POINTS_FROM_WRITER);
        beginRecord(lsn, opEpoch, type);
        if (batch.writerId() != null) {
            WriterSequences.writeId(batch.writerId(), walScratch);
            walScratch.putVarLong(batch.sequence());
        }
        if (partials) {
            WalPartials.encode(batch, seriesIds, fieldIds, walScratch);
        } else {
            WalPoints.encode(batch, seriesIds, fieldIds, walScratch);
        }
        long ticket = endRecord(lsn, opEpoch, type);
        walScratch.clearAndTrim(WAL_SCRATCH_RETAINED_BYTES);
        // honour storage.wal.segment-size between flushes; segments are still deleted only by flushes
        wal.rotateIfFull();
        return ticket;
    }

    /**
     * Logs a step ({@link WalRecordType#STAGED}, {@link WalRecordType#STAGED_PARTIALS},
     * {@link WalRecordType#COMMIT} or {@link WalRecordType#ABORT}) of a writer's transaction; {@code staged} is
     * what it stages, all points for STAGED and all partials for STAGED_PARTIALS (null for commit and abort).
     * Returns the WAL ticket.
     */
    public long transaction(
            int type,
            String writerId,
            long transactionId,
            List<? extends StagedTransactions.Staged> staged,
            long lsn,
            long opEpoch) {
        beginRecord(lsn, opEpoch, type);
        WriterSequences.writeId(writerId, walScratch);
        walScratch.putVarLong(transactionId);
        if (type == WalRecordType.STAGED) {
            WalPoints.encode(only(staged, StagedTransactions.Points.class), walScratch);
        } else if (type == WalRecordType.STAGED_PARTIALS) {
            WalPartials.encode(only(staged, StagedTransactions.Partials.class), walScratch);
        }
        long ticket = endRecord(lsn, opEpoch, type);
        walScratch.clearAndTrim(WAL_SCRATCH_RETAINED_BYTES);
        return ticket;
    }

    private static <T extends StagedTransactions.Staged> List<T> only(
            List<? extends StagedTransactions.Staged> staged, Class<T> kind) {
        List<T> out = new ArrayList<>(staged.size());
        for (StagedTransactions.Staged s : staged) {
            out.add(kind.cast(s));
        }
        return out;
    }

    /** Logs op {@code lsn} as doing nothing (it keeps LSNs dense); returns the WAL ticket. */
    public long noop(long lsn, long opEpoch) {
        beginRecord(lsn, opEpoch, WalRecordType.NOOP);
        return endRecord(lsn, opEpoch, WalRecordType.NOOP);
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
}
