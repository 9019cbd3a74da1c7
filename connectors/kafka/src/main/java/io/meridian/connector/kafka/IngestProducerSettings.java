package io.meridian.connector.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The producer settings every writer of the ingest topic uses: byte-array key and value, {@code acks=all}
 * and idempotence (no duplicates or reordering from the producer's own retries), a small linger so concurrent
 * requests share a produce call, and lz4 compression (cheap on CPU, and line protocol and PointBatch bytes both
 * compress well).
 */
public final class IngestProducerSettings {
    /** How long the producer waits to fill a batch. Small: writers wait for the ack. */
    public static final int LINGER_MS = 5;
    /** Compression of produced batches. */
    public static final String COMPRESSION = "lz4";

    private IngestProducerSettings() {}

    /**
     * The settings for {@code bootstrapServers}, with {@code overrides} applied last (e.g. a client id, or
     * {@code delivery.timeout.ms}).
     */
    public static Map<String, Object> of(String bootstrapServers, Map<String, Object> overrides) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION);
        p.putAll(overrides);
        return p;
    }
}
