package io.meridian.storage.engine;

import io.meridian.common.model.SeriesKey;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.PostingsIndex;
import io.meridian.storage.index.SeriesDictionary;
import io.meridian.storage.memtable.MemTableWriter;
import io.meridian.storage.memtable.MemTables;
import io.meridian.storage.txn.StagedTransactions;
import io.meridian.storage.txn.WriterSequences;
import io.meridian.storage.wal.ReplicaPosition;
import io.meridian.storage.wal.WalPartials;
import io.meridian.storage.wal.WalPoints;
import io.meridian.storage.wal.WalRecordType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds a shard's unflushed state from the WAL records after its checkpoint when the shard opens: series
 * and field definitions, memtable points, writer sequences and staged transactions. A REPLICATED record is
 * unwrapped: an op the checkpoint already covers is skipped, the next one advances the replica position and
 * replays its inner record; anything else is a corrupt log. Reads what {@link OpLog} writes.
 *
 * <p>Not thread-safe: used once, by the shard's constructor, before the shard is published.
 */
final class WalReplayer {
    private final ReplicaPosition position;
    private final SeriesDictionary dictionary;
    private final PostingsIndex postings;
    private final FieldSchema schema;
    private final MemTables memTables;
    private final MemTableWriter memTableWriter;
    private final WriterSequences writerSequences;
    private final StagedTransactions staged;
    private final Clock clock;

    /** Replays into {@code s}'s state; called while {@link ShardState} opens, before its WAL and op log exist. */
    WalReplayer(ShardState s) {
        this.position = s.position;
        this.dictionary = s.dictionary;
        this.postings = s.postings;
        this.schema = s.schema;
        this.memTables = s.memTables;
        this.memTableWriter = s.memTableWriter;
        this.writerSequences = s.writerSequences;
        this.staged = s.staged;
        this.clock = s.options.clock();
    }

    /**
     * Replays one WAL record of type {@code type} (a {@link WalRecordType} constant).
     *
     * @throws io.meridian.common.error.CorruptDataException on an unknown type or replica-log ops out of order
     */
    void replay(int type, ByteSource in) {
        if (type == WalRecordType.REPLICATED) {
            long lsn = in.getVarLong();
            long opEpoch = in.getVarLong();
            int inner = WalRecordType.readInner(in);
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
            case WalRecordType.POINTS -> replayPoints(in);
            case WalRecordType.POINTS_FROM_WRITER -> {
                String writer = WriterSequences.readId(in);
                long sequence = in.getVarLong();
                if (writerSequences.duplicateOf(writer, sequence) == null) {
                    writerSequences.advance(writer, sequence, clock.millis(), 0);
                    replayPoints(in);
                }
            }
            case WalRecordType.STAGED -> {
                String writer = WriterSequences.readId(in);
                long txn = in.getVarLong();
                List<StagedTransactions.Points> points = new ArrayList<>();
                WalPoints.decode(
                        in,
                        (seriesId, fieldIds, ts, values) ->
                                points.add(new StagedTransactions.Points(seriesId, fieldIds, ts, values)));
                if (writerSequences.duplicateOf(WriterSequences.TXN_PREFIX + writer, txn) == null) {
                    staged.add(writer, txn, points);
                }
            }
            case WalRecordType.PARTIALS -> replayPartials(in);
            case WalRecordType.PARTIALS_FROM_WRITER -> {
                String writer = WriterSequences.readId(in);
                long sequence = in.getVarLong();
                if (writerSequences.duplicateOf(writer, sequence) == null) {
                    writerSequences.advance(writer, sequence, clock.millis(), 0);
                    replayPartials(in);
                }
            }
            case WalRecordType.STAGED_PARTIALS -> {
                String writer = WriterSequences.readId(in);
                long txn = in.getVarLong();
                List<StagedTransactions.Partials> partials = new ArrayList<>();
                WalPartials.decode(
                        in,
                        (seriesId, fieldIds, interval, starts, cells) -> partials.add(
                                new StagedTransactions.Partials(seriesId, fieldIds, interval, starts, cells)));
                if (writerSequences.duplicateOf(WriterSequences.TXN_PREFIX + writer, txn) == null) {
                    staged.add(writer, txn, partials);
                }
            }
            case WalRecordType.COMMIT -> {
                String writer = WriterSequences.readId(in);
                long txn = in.getVarLong();
                if (writerSequences.duplicateOf(WriterSequences.TXN_PREFIX + writer, txn) == null) {
                    memTableWriter.commit(writer, txn, 0);
                } else {
                    staged.remove(writer, txn);
                }
            }
            case WalRecordType.ABORT -> staged.remove(WriterSequences.readId(in), in.getVarLong());
            default -> throw in.corrupt("unknown WAL record type " + type);
        }
    }

    /** Appends a partials payload to the active memtable. */
    private void replayPartials(ByteSource in) {
        WalPartials.decode(
                in,
                (seriesId, fieldIds, interval, starts, cells) ->
                        MemTableWriter.appendPartials(memTables.active(), seriesId, fieldIds, starts, cells));
    }

    /** Appends a points payload to the active memtable (its age starts with the next write, not at replay). */
    private void replayPoints(ByteSource in) {
        WalPoints.decode(
                in, (seriesId, fieldIds, ts, values) -> memTables.active().appendRows(seriesId, fieldIds, ts, values));
    }
}
