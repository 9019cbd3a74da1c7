package io.meridian.connector.kafka;

import static io.meridian.connector.kafka.IngestTopic.HEADER_DB;
import static io.meridian.connector.kafka.IngestTopic.HEADER_DLQ_REASON;
import static io.meridian.connector.kafka.IngestTopic.HEADER_FORMAT;
import static io.meridian.connector.kafka.IngestTopic.HEADER_PRECISION;
import static io.meridian.connector.kafka.IngestTopic.SHARD_KEY_BYTES;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.Names;
import io.meridian.common.rpc.storage.v1.PointBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Encodes and decodes ingest-topic records (FORMAT.md): {@code pb1} records of one shard's {@link PointBatch}
 * (what the broker produces in Kafka write mode), {@code pa1} records of partial aggregates (a {@link PointBatch}
 * with {@code partials} only, storage.proto revision 6) and {@code lp} records of line-protocol text (what users
 * produce). Stateless and thread-safe.
 *
 * <pre>
 *   format key                  headers                          value                    partition
 *   pb1    shard (int32 BE)     db, format=pb1                   PointBatch (series)      shard mod P
 *   pa1    shard (int32 BE)     db, format=pa1                   PointBatch (partials)    shard mod P
 *          or none                                                                        any
 *   lp     anything or none     db, [format=lp], [precision]     line protocol            any
 * </pre>
 */
public final class IngestRecordCodec {
    private IngestRecordCodec() {}

    /**
     * The record of one shard's batch, to partition {@code shard mod partitions}.
     *
     * @throws IllegalArgumentException for a bad shard or partition count, an invalid database name, or a batch with
     *                                  partials (they go in a {@code pa1} record: {@link #encodePartials})
     */
    public static ProducerRecord<byte[], byte[]> encodeBatch(
            String topic, int partitions, String database, int shard, PointBatch batch) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(batch, "batch");
        if (batch.getPartialsCount() > 0) {
            throw new IllegalArgumentException("partials in a pb1 record [db=" + database + ", shard=" + shard
                    + "]: got " + batch.getPartialsCount() + " partial series; use encodePartials (format pa1)");
        }
        int partition = IngestTopic.partitionOf(shard, partitions);
        List<Header> headers = List.of(
                header(HEADER_DB, requireDatabase(database)),
                header(HEADER_FORMAT, IngestFormat.POINT_BATCH_V1.header()));
        return new ProducerRecord<>(topic, partition, null, shardKey(shard), batch.toByteArray(), headers);
    }

    /**
     * The {@code pa1} record of one shard's partial aggregates, to partition {@code shard mod partitions}, keyed by the
     * shard as a {@code pb1} record is. The batch is not checked against {@code PartialRules} here (the consumer
     * does, and dead-letters a bad record whole); only its kind is.
     *
     * @param batch partials only ({@code PointBatch.partials}), every series of that shard by the series hash
     * @throws IllegalArgumentException for a bad shard or partition count, an invalid database name, or a batch with
     *                                  rows or without partials
     */
    public static ProducerRecord<byte[], byte[]> encodePartials(
            String topic, int partitions, String database, int shard, PointBatch batch) {
        Objects.requireNonNull(topic, "topic");
        int partition = IngestTopic.partitionOf(shard, partitions);
        return new ProducerRecord<>(
                topic,
                partition,
                null,
                shardKey(shard),
                requirePartialsOnly(database, batch).toByteArray(),
                partialsHeaders(database));
    }

    /**
     * A {@code pa1} record without a key: the batch's series may belong to any shards, and the consumer shards each
     * one itself by the series hash. Kafka's partitioner picks the partition.
     *
     * @param batch partials only ({@code PointBatch.partials})
     * @throws IllegalArgumentException for an invalid database name, or a batch with rows or without partials
     */
    public static ProducerRecord<byte[], byte[]> encodePartials(String topic, String database, PointBatch batch) {
        Objects.requireNonNull(topic, "topic");
        return new ProducerRecord<>(
                topic, null, null, null, requirePartialsOnly(database, batch).toByteArray(), partialsHeaders(database));
    }

    /**
     * An {@code lp} record of line-protocol text; Kafka's partitioner picks the partition (no key).
     *
     * @param precision the timestamps' unit; null leaves the header out (nanoseconds)
     * @throws IllegalArgumentException for an invalid database name
     */
    public static ProducerRecord<byte[], byte[]> encodeLines(
            String topic, String database, byte[] text, Precision precision) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(text, "text");
        List<Header> headers = new ArrayList<>(3);
        headers.add(header(HEADER_DB, requireDatabase(database)));
        headers.add(header(HEADER_FORMAT, IngestFormat.LINE_PROTOCOL.header()));
        if (precision != null) {
            headers.add(header(HEADER_PRECISION, precision.symbol()));
        }
        return new ProducerRecord<>(topic, null, null, null, text, headers);
    }

    /** The 4-byte big-endian key of a shard's records. */
    public static byte[] shardKey(int shard) {
        return ByteBuffer.allocate(SHARD_KEY_BYTES).putInt(shard).array();
    }

    /**
     * Decodes a consumed record. A record without a {@code format} header is line protocol.
     *
     * @throws IngestRecordException naming topic, partition, offset and the problem: missing or invalid
     *                               {@code db}, unknown {@code format} or {@code precision}, a {@code precision}
     *                               header on a {@code pa1} record, a {@code pb1} key that is not 4 bytes or a
     *                               {@code pa1} key that is neither absent nor 4 bytes, a negative shard, a value that
     *                               is missing or not a {@code PointBatch}, partials in a {@code pb1} record, rows
     *                               in a {@code pa1} record
     */
    public static IngestRecord decode(ConsumerRecord<byte[], byte[]> record) {
        Objects.requireNonNull(record, "record");
        IngestRecord.Source source = new IngestRecord.Source(record.topic(), record.partition(), record.offset());
        String db = text(record.headers(), HEADER_DB);
        if (db == null) {
            throw new IngestRecordException(
                    source, "missing header [header=" + HEADER_DB + "]: every record names its database", null);
        }
        String dbReason = Names.invalidReason(db);
        if (dbReason != null) {
            throw new IngestRecordException(
                    source, "invalid database name [header=" + HEADER_DB + ", db=" + db + "]: " + dbReason, null);
        }
        String formatHeader = text(record.headers(), HEADER_FORMAT);
        IngestFormat format = formatHeader == null
                ? IngestFormat.LINE_PROTOCOL
                : IngestFormat.ofHeader(formatHeader)
                        .orElseThrow(() -> new IngestRecordException(
                                source,
                                "unknown format [header=" + HEADER_FORMAT + ", format=" + formatHeader
                                        + "]: want one of " + IngestFormat.known()
                                        + " (a newer producer? upgrade the consumer)",
                                null));
        if (record.value() == null) {
            throw new IngestRecordException(source, "missing value [format=" + format.header() + "]", null);
        }
        return switch (format) {
            case LINE_PROTOCOL ->
                new IngestRecord.Lines(source, db, precision(source, record.headers()), record.value());
            case POINT_BATCH_V1 -> {
                int shard = shard(source, format, record.key());
                PointBatch batch = batch(source, format, record.value());
                if (batch.getPartialsCount() > 0) {
                    throw new IngestRecordException(
                            source,
                            "partials in a pb1 record [format=pb1]: use format pa1 (got "
                                    + batch.getPartialsCount()
                                    + " partial series; a pb1 consumer carries rows only)",
                            null);
                }
                yield new IngestRecord.Batch(source, db, shard, batch);
            }
            case PARTIALS_V1 -> {
                if (record.headers().lastHeader(HEADER_PRECISION) != null) {
                    throw new IngestRecordException(
                            source,
                            "precision not allowed [header=" + HEADER_PRECISION + ", format=pa1]: got "
                                    + text(record.headers(), HEADER_PRECISION)
                                    + "; partial aggregates are in ms, leave the header out",
                            null);
                }
                int shard = record.key() == null ? IngestRecord.Partials.UNKEYED : shard(source, format, record.key());
                PointBatch batch = batch(source, format, record.value());
                if (batch.getSeriesCount() > 0) {
                    throw new IngestRecordException(
                            source,
                            "rows in a pa1 record [format=pa1]: got " + batch.getSeriesCount()
                                    + " series of rows; want partials only (rows go in format pb1 or lp)",
                            null);
                }
                yield new IngestRecord.Partials(source, db, shard, batch);
            }
        };
    }

    /**
     * The dead-letter copy of a record that could not be used: same key, value and headers, plus the
     * {@code meridian.dlq.reason} header and the original topic, partition and offset as headers
     * {@code meridian.dlq.topic}, {@code meridian.dlq.partition}, {@code meridian.dlq.offset} (UTF-8 text).
     */
    public static ProducerRecord<byte[], byte[]> deadLetter(
            String dlqTopic, ConsumerRecord<byte[], byte[]> record, String reason) {
        Objects.requireNonNull(dlqTopic, "dlqTopic");
        Objects.requireNonNull(reason, "reason");
        List<Header> headers = new ArrayList<>();
        record.headers().forEach(headers::add);
        headers.add(header(HEADER_DLQ_REASON, reason));
        headers.add(header("meridian.dlq.topic", record.topic()));
        headers.add(header("meridian.dlq.partition", Integer.toString(record.partition())));
        headers.add(header("meridian.dlq.offset", Long.toString(record.offset())));
        return new ProducerRecord<>(dlqTopic, null, null, record.key(), record.value(), headers);
    }

    private static Precision precision(IngestRecord.Source source, Headers headers) {
        String p = text(headers, HEADER_PRECISION);
        try {
            return Precision.parse(p);
        } catch (InvalidInputException e) {
            throw new IngestRecordException(
                    source,
                    "unknown precision [header=" + HEADER_PRECISION + ", precision=" + p
                            + "]: want one of ns, us, ms, s",
                    e);
        }
    }

    /** The shard of a {@code pb1} key, or of a {@code pa1} key that is present. */
    private static int shard(IngestRecord.Source source, IngestFormat format, byte[] key) {
        if (key == null || key.length != SHARD_KEY_BYTES) {
            throw new IngestRecordException(
                    source,
                    "bad key length [format=" + format.header() + "]: got "
                            + (key == null ? "no key" : key.length + " bytes") + "; want " + SHARD_KEY_BYTES
                            + " (the shard, big-endian int32)"
                            + (format == IngestFormat.PARTIALS_V1 ? " or no key" : ""),
                    null);
        }
        int shard = ByteBuffer.wrap(key).getInt();
        if (shard < 0) {
            throw new IngestRecordException(
                    source, "bad key [format=" + format.header() + "]: got shard " + shard + "; want >= 0", null);
        }
        return shard;
    }

    private static PointBatch batch(IngestRecord.Source source, IngestFormat format, byte[] value) {
        try {
            return PointBatch.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new IngestRecordException(
                    source,
                    "unparsable PointBatch [format=" + format.header() + ", bytes=" + value.length + "]: "
                            + e.getMessage(),
                    e);
        }
    }

    private static PointBatch requirePartialsOnly(String database, PointBatch batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.getSeriesCount() > 0 || batch.getPartialsCount() == 0) {
            throw new IllegalArgumentException("invalid pa1 batch [db=" + database + "]: got "
                    + batch.getSeriesCount() + " series of rows and " + batch.getPartialsCount()
                    + " partial series; want partials only, at least one");
        }
        return batch;
    }

    private static List<Header> partialsHeaders(String database) {
        return List.of(
                header(HEADER_DB, requireDatabase(database)), header(HEADER_FORMAT, IngestFormat.PARTIALS_V1.header()));
    }

    private static String requireDatabase(String database) {
        Objects.requireNonNull(database, "database");
        String reason = Names.invalidReason(database);
        if (reason != null) {
            throw new IllegalArgumentException("invalid database name [db=" + database + "]: " + reason);
        }
        return database;
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The last header of that name as UTF-8 text, or null when absent or without a value. */
    private static String text(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
