package io.meridian.broker.write;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of {@link KafkaShardWriter}.
 *
 * @param bootstrapServers {@code broker.kafka.bootstrap-servers}: host:port of Kafka brokers, at least one
 * @param topic            {@code broker.kafka.topic}
 * @param ackTimeout       {@code broker.kafka.ack-timeout}: how long a write waits for every record's ack
 * @param clientId         the producer's client id (names the broker in Kafka's logs and quotas)
 */
public record KafkaWriteOptions(
        List<String> bootstrapServers, String topic, Duration ackTimeout, String clientId, String ingestGroup) {
    public KafkaWriteOptions {
        bootstrapServers = List.copyOf(bootstrapServers);
        if (bootstrapServers.isEmpty()) {
            throw new IllegalArgumentException("no kafka bootstrap servers: want at least one host:port");
        }
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(ingestGroup, "ingestGroup");
        if (ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("invalid ack timeout [ackTimeout=" + ackTimeout + "]: want > 0");
        }
    }
}
