package io.meridian.broker.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.connector.kafka.IngestTopic;
import io.meridian.connector.kafka.embedded.EmbeddedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link KafkaShardWriter} against an in-JVM KRaft Kafka: a missing topic, and a topic re-created larger. */
class KafkaShardWriterIT {
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(2);
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static ShardBatches request(int shard) {
        return new ShardBatches(
                "web",
                Map.of(
                        shard,
                        PointBatch.newBuilder()
                                .addSeries(SeriesRows.newBuilder()
                                        .setMetric("cpu")
                                        .addFields("usage")
                                        .addTimestampDeltas(1_000)
                                        .addValues(1))
                                .build()),
                1);
    }

    private static KafkaShardWriter writer(String topic) {
        return new KafkaShardWriter(new KafkaWriteOptions(
                List.of(kafka.bootstrapServers()),
                topic,
                ACK_TIMEOUT,
                "kafka-shard-writer-it",
                IngestTopic.DEFAULT_GROUP));
    }

    @Test
    void theIngestLagIsWhatTheJobsGroupHasNotCommitted() throws Exception {
        kafka.createTopic("lagging", 2);
        try (KafkaShardWriter writer = writer("lagging")) {
            for (int i = 0; i < 3; i++) {
                writer.write(request(0));
            }
            writer.write(request(1));
        }
        try (IngestLag lag = new IngestLag(List.of(kafka.bootstrapServers()), "lagging", "lag-it")) {
            assertThat(lag.records())
                    .as("a group that never committed: every record")
                    .isEqualTo(4);
        }
        try (Admin admin = kafka.admin()) {
            admin.alterConsumerGroupOffsets(
                            "lag-it", Map.of(new TopicPartition("lagging", 0), new OffsetAndMetadata(2)))
                    .all()
                    .get();
        }
        try (IngestLag lag = new IngestLag(List.of(kafka.bootstrapServers()), "lagging", "lag-it")) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            lag.bindTo(registry);
            assertThat(registry.get("meridian.broker.kafka.ingest.lag")
                            .tag("group", "lag-it")
                            .gauge()
                            .value())
                    .as("one record after the commit on partition 0, one never committed on partition 1")
                    .isEqualTo(2);
        }
        try (IngestLag lag = new IngestLag(List.of("127.0.0.1:1"), "lagging", "lag-it")) {
            assertThat(lag.records()).as("Kafka cannot be asked").isEqualTo(-1);
        }
    }

    @Test
    void aMissingTopicIs503NamingItAndWorksOnceCreated() throws Exception {
        try (KafkaShardWriter writer = writer("absent")) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> writer.write(request(1)))
                    .isInstanceOf(ShardUnavailableException.class)
                    .hasMessageContaining("topic=absent");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(ACK_TIMEOUT.plusSeconds(3));

            kafka.createTopic("absent", 2);
            await().atMost(Duration.ofSeconds(30))
                    .ignoreException(ShardUnavailableException.class)
                    .untilAsserted(() -> writer.write(request(1)));
            assertThat(kafka.endOffsets("absent")).isEqualTo(Map.of(0, 0L, 1, 1L));
        }
    }

    @Test
    void thePartitionCountIsLookedUpAgainAfterAFailure() throws Exception {
        kafka.createTopic("regrown", 1);
        try (KafkaShardWriter writer = writer("regrown")) {
            writer.write(request(3));
            assertThat(kafka.endOffsets("regrown")).isEqualTo(Map.of(0, 1L));

            try (var admin = kafka.admin()) {
                admin.deleteTopics(Set.of("regrown")).all().get();
            }
            assertThatThrownBy(() -> writer.write(request(3)))
                    .isInstanceOf(ShardUnavailableException.class)
                    .hasMessageContaining("topic=regrown");
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .untilAsserted(() -> kafka.createTopic("regrown", 4));
            await().atMost(Duration.ofSeconds(30))
                    .ignoreException(ShardUnavailableException.class)
                    .untilAsserted(() -> writer.write(request(3)));
            // (the record of the failed write may still reach partition 0 of the new topic: at least once)
            assertThat(kafka.endOffsets("regrown"))
                    .as("shard 3 -> partition 3 of 4")
                    .containsEntry(3, 1L);
        }
    }
}
