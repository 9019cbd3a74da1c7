package io.meridian.connector.kafka;

import io.meridian.common.lineprotocol.Precision;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Produces InfluxDB line protocol for a database to Meridian's ingest topic, for Java applications that write
 * to Kafka rather than to a broker's HTTP API. Each call sends one {@code lp} record (FORMAT.md) with the
 * {@code db} header (and {@code precision} when not nanoseconds); a record may hold many lines, which is far
 * cheaper than one record per point. The producer uses {@code acks=all} with idempotence
 * ({@link IngestProducerSettings}).
 *
 * <pre>{@code
 * try (MeridianKafkaProducer producer = new MeridianKafkaProducer("kafka1:9092", IngestTopic.DEFAULT_TOPIC)) {
 *     producer.send("web", "cpu,host=h1 usage=0.5 1732530000000\ncpu,host=h2 usage=0.7 1732530000000",
 *             Precision.MILLISECONDS).get();   // get(): wait for Kafka's ack
 * }
 * }</pre>
 *
 * <p>The lines are not validated here: the ingest job parses them, and a bad record goes to the dead-letter
 * topic with the reason. Thread-safe, like the {@link KafkaProducer} it wraps.
 */
public final class MeridianKafkaProducer implements AutoCloseable {
    private final Producer<byte[], byte[]> producer;
    private final String topic;

    /** A producer for {@code bootstrapServers} writing to {@code topic}. */
    public MeridianKafkaProducer(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, Map.of());
    }

    /**
     * @param overrides Kafka producer settings applied over {@link IngestProducerSettings} (client id, TLS...)
     */
    public MeridianKafkaProducer(String bootstrapServers, String topic, Map<String, Object> overrides) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.producer = new KafkaProducer<>(IngestProducerSettings.of(bootstrapServers, overrides));
    }

    /** The topic records go to. */
    public String topic() {
        return topic;
    }

    /** Sends lines with nanosecond timestamps (InfluxDB's default). */
    public Future<RecordMetadata> send(String database, String lines) {
        return send(database, lines, Precision.NANOSECONDS);
    }

    /** Sends lines whose timestamps are in {@code precision}. */
    public Future<RecordMetadata> send(String database, String lines, Precision precision) {
        Objects.requireNonNull(lines, "lines");
        return send(database, lines.getBytes(StandardCharsets.UTF_8), precision);
    }

    /**
     * Sends UTF-8 line-protocol bytes (not copied: do not change them before the future completes).
     *
     * @return completes when Kafka acknowledged the record (or failed)
     * @throws IllegalArgumentException for an invalid database name
     */
    public Future<RecordMetadata> send(String database, byte[] lines, Precision precision) {
        Objects.requireNonNull(precision, "precision");
        return producer.send(IngestRecordCodec.encodeLines(
                topic, database, lines, precision == Precision.NANOSECONDS ? null : precision));
    }

    /** Sends everything buffered and waits for the acks. */
    public void flush() {
        producer.flush();
    }

    /** Flushes and closes, waiting at most {@code timeout} for outstanding records. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    @Override
    public void close() {
        producer.close();
    }
}
