package io.meridian.storage.replication.log;

import io.meridian.common.model.FieldType;
import io.meridian.storage.shard.WriteBatch;
import java.util.Objects;

/**
 * One operation of a shard's replica log, self-contained (series by key, fields by name) so that a follower
 * applies it through its own dictionary: what a leader ships and a follower applies.
 *
 * @param lsn      log sequence number, 1 for the first op of the shard, +1 for each next one
 * @param epoch    the shard epoch of the leader that accepted it
 * @param kind     what it does
 * @param batch    the points of WRITE and STAGE (with the writer id and sequence of a WRITE, if any); else null
 * @param writerId the writer of STAGE, COMMIT and ABORT; else null
 * @param txnId    the transaction of STAGE, COMMIT and ABORT; else 0
 * @param field    the declaration of DECLARE; else null
 */
public record LogOp(long lsn, long epoch, Kind kind, WriteBatch batch, String writerId, long txnId, Declaration field) {
    /** Operation kinds; ids are part of the replication wire format. */
    public enum Kind {
        /** Nothing to apply (keeps LSNs dense when a follower finds an op already applied). */
        NOOP,
        /** Points, optionally of an identified writer (de-duplicated by its sequence). */
        WRITE,
        /** Points staged in a transaction. */
        STAGE,
        /** A transaction made visible. */
        COMMIT,
        /** A transaction dropped. */
        ABORT,
        /** A field type declared. */
        DECLARE
    }

    /** A field declaration. */
    public record Declaration(String metric, String field, FieldType type) {
        public Declaration {
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(type, "type");
        }
    }

    public LogOp {
        Objects.requireNonNull(kind, "kind");
        if (lsn < 1 || epoch < 1) {
            throw new IllegalArgumentException(
                    "replica log op needs lsn and epoch >= 1 [lsn=" + lsn + ", epoch=" + epoch + "]");
        }
        boolean points = kind == Kind.WRITE || kind == Kind.STAGE;
        boolean txn = kind == Kind.STAGE || kind == Kind.COMMIT || kind == Kind.ABORT;
        if (points != (batch != null) || txn != (writerId != null) || (kind == Kind.DECLARE) != (field != null)) {
            throw new IllegalArgumentException("replica log op " + kind + " has the wrong parts [lsn=" + lsn + "]");
        }
    }

    /** Rough wire size, for fetch size limits. */
    public long estimatedBytes() {
        if (batch == null) {
            return 32;
        }
        long b = 32;
        for (WriteBatch.SeriesRows r : batch.series()) {
            b += 64 + r.rows() * 3L + r.values().length * 8L;
        }
        for (WriteBatch.SeriesPartials p : batch.partials()) {
            b += 64 + p.slots() * 3L + p.cells().length * 64L;
        }
        return b;
    }
}
