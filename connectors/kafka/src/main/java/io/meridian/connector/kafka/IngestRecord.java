package io.meridian.connector.kafka;

import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.rpc.storage.v1.PointBatch;
import java.util.Objects;

/**
 * A decoded ingest-topic record ({@link IngestRecordCodec#decode}): where it came from, its database, and its
 * payload in one of the {@link IngestFormat}s.
 */
public sealed interface IngestRecord permits IngestRecord.Lines, IngestRecord.Batch, IngestRecord.Partials {

    /** Topic, partition and offset of the record, for error messages and dead-lettering. */
    Source source();

    /** The database (header {@code db}). */
    String database();

    /** The payload's format. */
    IngestFormat format();

    /** Where a record was read from. */
    record Source(String topic, int partition, long offset) {
        public Source {
            Objects.requireNonNull(topic, "topic");
        }

        @Override
        public String toString() {
            return "topic=" + topic + ", partition=" + partition + ", offset=" + offset;
        }
    }

    /**
     * An {@code lp} record: line-protocol text, not yet parsed or validated (the consumer parses it once).
     *
     * @param text UTF-8 line protocol, one or many lines (not copied)
     */
    record Lines(Source source, String database, Precision precision, byte[] text) implements IngestRecord {
        public Lines {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(precision, "precision");
            Objects.requireNonNull(text, "text");
        }

        @Override
        public IngestFormat format() {
            return IngestFormat.LINE_PROTOCOL;
        }
    }

    /**
     * A {@code pb1} record: the validated points of one shard.
     *
     * @param shard the shard number (the record key)
     */
    record Batch(Source source, String database, int shard, PointBatch batch) implements IngestRecord {
        public Batch {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(batch, "batch");
        }

        @Override
        public IngestFormat format() {
            return IngestFormat.POINT_BATCH_V1;
        }
    }

    /**
     * A {@code pa1} record: partial aggregates ({@code PointBatch.partials} only, not yet checked against
     * {@code PartialRules}), of one shard when the record is keyed.
     *
     * @param shard the shard number (the record key), or {@link #UNKEYED} when the record has no key: the consumer
     *              shards each series itself by the series hash
     */
    record Partials(Source source, String database, int shard, PointBatch batch) implements IngestRecord {
        /** The {@link #shard()} of a record without a key. */
        public static final int UNKEYED = -1;

        public Partials {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(batch, "batch");
            if (shard < UNKEYED) {
                throw new IllegalArgumentException("invalid shard [shard=" + shard + "]: want >= 0, or -1 (no key)");
            }
        }

        /** True when the record names its shard (has a key). */
        public boolean keyed() {
            return shard != UNKEYED;
        }

        @Override
        public IngestFormat format() {
            return IngestFormat.PARTIALS_V1;
        }
    }
}
