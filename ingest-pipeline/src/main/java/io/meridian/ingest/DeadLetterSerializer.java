package io.meridian.ingest;

import io.meridian.connector.kafka.IngestRecordCodec;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The dead-letter record of FORMAT.md: the original key, value and headers plus {@code meridian.dlq.reason} and
 * the original topic, partition and offset.
 */
final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private final String dlqTopic;

    DeadLetterSerializer(String dlqTopic) {
        this.dlqTopic = dlqTopic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        return IngestRecordCodec.deadLetter(dlqTopic, d.record.toConsumerRecord(), d.reason);
    }
}
