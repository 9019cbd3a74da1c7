package io.meridian.ingest;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads every ingest-topic record as it is; decoding (and dead-lettering) is {@link IngestDecoder}'s job. */
final class IngestDeserializer implements KafkaRecordDeserializationSchema<KafkaIngestRecord> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaIngestRecord> out) {
        out.collect(KafkaIngestRecord.of(record));
    }

    @Override
    public TypeInformation<KafkaIngestRecord> getProducedType() {
        return TypeInformation.of(KafkaIngestRecord.class);
    }
}
