package io.meridian.storage.wal;

import io.meridian.storage.encoding.ByteSource;

/**
 * Kinds of WAL records. Ids are part of the on-disk format ({@code storage/log/FORMAT.md}, which has every
 * payload's grammar) and never change.
 */
public final class WalRecordType {
    /** A new series: {@code seriesId:varint canonicalKey:bytes}. */
    public static final int SERIES_DEF = 1;
    /** A new field: {@code fieldId:varint type:u8 metricLen:varint metric fieldLen:varint field}. */
    public static final int FIELD_DEF = 2;
    /** Points resolved to series and field ids; see {@link WalPoints}. */
    public static final int POINTS = 3;
    /**
     * Points of an identified writer: {@code writerIdLength:varint writerId:utf8 sequence:varint} followed by a
     * POINTS payload; the sequence is de-duplicated (see {@link io.meridian.storage.txn.WriterSequences}).
     */
    public static final int POINTS_FROM_WRITER = 4;
    /** Points staged in a transaction: {@code writerId txnId:varint} then a POINTS payload; invisible until COMMIT. */
    public static final int STAGED = 5;
    /** Makes a transaction's staged points visible: {@code writerId txnId:varint}. */
    public static final int COMMIT = 6;
    /** Drops a transaction's staged points: {@code writerId txnId:varint}. */
    public static final int ABORT = 7;
    /**
     * An operation of the replica log: {@code lsn:varint epoch:varint innerType:varint innerPayload}, where the
     * inner record is one of POINTS, POINTS_FROM_WRITER, STAGED, COMMIT, ABORT, FIELD_DEF (a declaration), PARTIALS,
     * PARTIALS_FROM_WRITER, STAGED_PARTIALS or {@link #NOOP}. One record, so the op and its position are durable together. Series and field definitions
     * and records logged again by a flush are plain records outside the replica log.
     */
    public static final int REPLICATED = 8;
    /** Inner type of a REPLICATED op that changes nothing (an op a follower found already applied). */
    public static final int NOOP = 0;
    /** Partial aggregates resolved to series and field ids; see {@link WalPartials}. The twin of POINTS. */
    public static final int PARTIALS = 9;
    /** Partials of an identified writer: {@code writerId sequence:varint} then a PARTIALS payload. */
    public static final int PARTIALS_FROM_WRITER = 10;
    /** Partials staged in a transaction: {@code writerId txnId:varint} then a PARTIALS payload. */
    public static final int STAGED_PARTIALS = 11;

    /** Whether {@code type} may be the inner record of a REPLICATED op (any record but SERIES_DEF and REPLICATED). */
    public static boolean replicable(int type) {
        return type == NOOP || type >= FIELD_DEF && type <= ABORT || type >= PARTIALS && type <= STAGED_PARTIALS;
    }

    /** Reads the inner type of a REPLICATED op. */
    public static int readInner(ByteSource in) {
        int type = in.getVarInt(STAGED_PARTIALS, "replicated record type");
        if (!replicable(type)) {
            throw in.corrupt("record type " + type + " cannot be inside a replicated op");
        }
        return type;
    }

    private WalRecordType() {}
}
