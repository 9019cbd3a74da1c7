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
 * (what the broker produces in Kafka write mode) and {@code lp} records of line-protocol text (what users
 * produce). Stateless and thread-safe.
 *
 * <pre>
 *   pb1: key = shard (int32 BE) | headers db, format=pb1           | value = PointBatch bytes | partition = shard mod P
 *   lp:  key = anything/none    | headers db, [format=lp], [precision] | value = line protocol  | partition = any
 * </pre>
 */
public final class IngestRecordCodec {
    private IngestRecordCodec() {}

    /**
     * The record of one shard's batch, to partition {@code shard mod partitions}.
     *
     * @throws IllegalArgumentException for a bad shard or partition count, or an invalid database name
     */
    public static ProducerRecord<byte[], byte[]> encodeBatch(
            String topic, int partitions, String database, int shard, PointBatch batch) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(batch, "batch");
        int partition = IngestTopic.partitionOf(shard, partitions);
        List<Header> headers = List.of(
                header(HEADER_DB, requireDatabase(database)),
                header(HEADER_FORMAT, IngestFormat.POINT_BATCH_V1.header()));
        return new ProducerRecord<>(topic, partition, null, shardKey(shard), batch.toByteArray(), headers);
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
     *                               {@code db}, unknown {@code format} or {@code precision}, a {@code pb1} key that
     *                               is not 4 bytes or a negative shard, a value that is missing or not a
     *                               {@code PointBatch}
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
                                        + "]: want one of lp," + " pb1 (a newer producer? upgrade the consumer)",
                                null));
        if (record.value() == null) {
            throw new IngestRecordException(source, "missing value [format=" + format.header() + "]", null);
        }
        return switch (format) {
            case LINE_PROTOCOL ->
                new IngestRecord.Lines(source, db, precision(source, record.headers()), record.value());
            case POINT_BATCH_V1 ->
                new IngestRecord.Batch(source, db, shard(source, record.key()), batch(source, record.value()));
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

    private static int shard(IngestRecord.Source source, byte[] key) {
        if (key == null || key.length != SHARD_KEY_BYTES) {
            throw new IngestRecordException(
                    source,
                    "bad key length [format=pb1]: got "
                            + (key == null ? "no key" : key.length + " bytes") + "; want " + SHARD_KEY_BYTES
                            + " (the shard, big-endian int32)",
                    null);
        }
        int shard = ByteBuffer.wrap(key).getInt();
        if (shard < 0) {
            throw new IngestRecordException(source, "bad key [format=pb1]: got shard " + shard + "; want >= 0", null);
        }
        return shard;
    }

    private static PointBatch batch(IngestRecord.Source source, byte[] value) {
        try {
            return PointBatch.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new IngestRecordException(
                    source, "unparsable PointBatch [format=pb1, bytes=" + value.length + "]: " + e.getMessage(), e);
        }
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
