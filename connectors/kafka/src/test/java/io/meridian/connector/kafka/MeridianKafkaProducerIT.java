package io.meridian.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.lineprotocol.Precision;
import io.meridian.connector.kafka.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link MeridianKafkaProducer} against a real in-JVM KRaft broker: a consumer decodes what it produced. */
class MeridianKafkaProducerIT {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic(IngestTopic.DEFAULT_TOPIC, 2);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theEmbeddedBrokerKeepsItsLogCleanerMapSmall() throws Exception {
        // Kafka's default offset map (128 MiB) was an eighth of standalone's default heap, held for the process's life
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
        try (Admin admin = kafka.admin()) {
            Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
            assertThat(config.get("log.cleaner.dedupe.buffer.size").value())
                    .isEqualTo(Long.toString(EmbeddedKafka.LOG_CLEANER_DEDUPE_BYTES));
            assertThat(Long.parseLong(config.get("offsets.topic.segment.bytes").value()))
                    .as("a segment's offsets (about 100 bytes each) fit the map (24 bytes each at 90%)")
                    .isLessThan(EmbeddedKafka.LOG_CLEANER_DEDUPE_BYTES * 9 / 10 / 24 * 100);
        }
    }

    @Test
    void producedLinesDecodeAsLineProtocolWithTheDbHeader() throws Exception {
        String lines = "cpu,host=h1 usage=0.5 1732530000000\ncpu,host=h2 usage=0.7 1732530000000\n";
        RecordMetadata a;
        RecordMetadata b;
        try (MeridianKafkaProducer producer =
                new MeridianKafkaProducer(kafka.bootstrapServers(), IngestTopic.DEFAULT_TOPIC)) {
            a = producer.send("web", lines, Precision.MILLISECONDS).get();
            b = producer.send("web2", "m f=1 1").get();
        }
        assertThat(kafka.endOffsets(IngestTopic.DEFAULT_TOPIC).values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .isEqualTo(2);

        List<IngestRecord> decoded = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
            List<TopicPartition> tps = List.of(
                    new TopicPartition(IngestTopic.DEFAULT_TOPIC, 0), new TopicPartition(IngestTopic.DEFAULT_TOPIC, 1));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.currentTimeMillis() + 30_000;
            while (decoded.size() < 2 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    decoded.add(IngestRecordCodec.decode(r));
                }
            }
        }
        assertThat(decoded).hasSize(2).allSatisfy(r -> assertThat(r).isInstanceOf(IngestRecord.Lines.class));
        IngestRecord.Lines web = (IngestRecord.Lines) decoded.stream()
                .filter(r -> r.database().equals("web"))
                .findFirst()
                .orElseThrow();
        assertThat(web.format()).isEqualTo(IngestFormat.LINE_PROTOCOL);
        assertThat(web.precision()).isEqualTo(Precision.MILLISECONDS);
        assertThat(new String(web.text(), StandardCharsets.UTF_8)).isEqualTo(lines);
        assertThat(web.source().partition()).isEqualTo(a.partition());
        assertThat(web.source().offset()).isEqualTo(a.offset());
        IngestRecord.Lines web2 = (IngestRecord.Lines) decoded.stream()
                .filter(r -> r.database().equals("web2"))
                .findFirst()
                .orElseThrow();
        assertThat(web2.precision()).isEqualTo(Precision.NANOSECONDS);
        assertThat(web2.source().offset()).isEqualTo(b.offset());
    }
}
