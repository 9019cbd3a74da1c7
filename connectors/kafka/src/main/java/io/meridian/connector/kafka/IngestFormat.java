package io.meridian.connector.kafka;

import java.util.Optional;

/**
 * The payload formats of an ingest-topic record, named by the record's {@code format} header (FORMAT.md). The
 * header value carries the version: a new incompatible layout gets a new value ({@code pb2}), never a changed
 * meaning of an old one.
 */
public enum IngestFormat {
    /** InfluxDB line protocol text, one or many lines; an optional {@code precision} header. Since format v1. */
    LINE_PROTOCOL("lp"),
    /**
     * One serialized {@code meridian.storage.v1.PointBatch} holding the already validated points of one shard;
     * the record key is the shard number. Since format v1.
     */
    POINT_BATCH_V1("pb1"),
    /**
     * One serialized {@code meridian.storage.v1.PointBatch} holding only partial aggregates
     * ({@code PointBatch.partials}, storage.proto revision 6), times in ms; the record key is the shard number, or
     * absent when the consumer is to shard each series itself. Its own format, not a {@code pb1} with a new field: a
     * consumer that does not know partials would skip that field and lose them silently, whereas it dead-letters an
     * unknown format. Since format v2.
     */
    PARTIALS_V1("pa1");

    private final String header;

    IngestFormat(String header) {
        this.header = header;
    }

    /** The value of the {@code format} header. */
    public String header() {
        return header;
    }

    /** The header values of every format this build knows, comma-separated ("lp, pb1, pa1"). */
    public static String known() {
        StringBuilder b = new StringBuilder();
        for (IngestFormat f : values()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(f.header);
        }
        return b.toString();
    }

    /** The format a header value names, if this build knows it (exact, case-sensitive match). */
    public static Optional<IngestFormat> ofHeader(String value) {
        for (IngestFormat f : values()) {
            if (f.header.equals(value)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
