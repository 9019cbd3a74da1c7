package io.meridian.ingest;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * An ingest-topic record as read, before decoding: where it came from, its key, value and headers (the last
 * value of each header name, as FORMAT.md says). A Flink POJO, so that a record that fails to decode can travel
 * to the dead-letter sink as it was.
 */
public class KafkaIngestRecord {
    public String topic;
    public int partition;
    public long offset;
    public byte[] key;
    public byte[] value;
    public Map<String, byte[]> headers = new HashMap<>();

    public KafkaIngestRecord() {}

    static KafkaIngestRecord of(ConsumerRecord<byte[], byte[]> r) {
        KafkaIngestRecord k = new KafkaIngestRecord();
        k.topic = r.topic();
        k.partition = r.partition();
        k.offset = r.offset();
        k.key = r.key();
        k.value = r.value();
        for (Header h : r.headers()) {
            k.headers.put(h.key(), h.value());
        }
        return k;
    }

    /** The record again as a Kafka consumer record (for the topic format's codec). */
    ConsumerRecord<byte[], byte[]> toConsumerRecord() {
        RecordHeaders h = new RecordHeaders();
        headers.forEach((name, v) -> h.add(new RecordHeader(name, v)));
        return new ConsumerRecord<>(
                topic,
                partition,
                offset,
                ConsumerRecord.NO_TIMESTAMP,
                TimestampType.NO_TIMESTAMP_TYPE,
                key == null ? -1 : key.length,
                value == null ? -1 : value.length,
                key,
                value,
                h,
                Optional.empty());
    }
}
