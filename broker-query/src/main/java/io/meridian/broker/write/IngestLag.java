package io.meridian.broker.write;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far the ingest job is behind the ingest topic, in records (Kafka write mode): for every partition, the
 * topic's end offset minus the offset the job's consumer group last committed (the job commits on each checkpoint,
 * so this includes up to one checkpoint interval of records on their way). A partition the group never committed
 * counts from its earliest offset. This is the number an operator watches in Kafka mode: Kafka absorbs a load the
 * job cannot take at once, and a lag that keeps growing means the job does not keep up.
 *
 * <p>Exposed as {@code meridian_broker_kafka_ingest_lag_records}; read from Kafka at most once every {@link #MAX_AGE_MS}
 * (a scrape in between gets the last value), -1 while Kafka cannot be asked. Thread-safe.
 */
public final class IngestLag implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestLag.class);
    static final long MAX_AGE_MS = 5_000;
    private static final long CALL_TIMEOUT_MS = 3_000;

    private final Admin admin;
    private final String topic;
    private final String group;
    private long readAtMs;
    private long lastRecords = -1;
    /** Why the last read failed, or null. */
    private volatile String lastError;

    public IngestLag(List<String> bootstrapServers, String topic, String group) {
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                String.join(",", bootstrapServers),
                AdminClientConfig.CLIENT_ID_CONFIG,
                "meridian-broker-ingest-lag",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) CALL_TIMEOUT_MS,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) CALL_TIMEOUT_MS));
        this.topic = topic;
        this.group = group;
    }

    public void bindTo(MeterRegistry registry) {
        Gauge.builder("meridian.broker.kafka.ingest.lag", this, IngestLag::records)
                .baseUnit("records")
                .description("records of the ingest topic the ingest job's consumer group has not committed yet"
                        + " (-1: Kafka could not be asked)")
                .tag("topic", topic)
                .tag("group", group)
                .strongReference(true)
                .register(registry);
    }

    /** The lag as of at most {@link #MAX_AGE_MS} ago; -1 when Kafka could not be asked. */
    public synchronized long records() {
        long now = System.currentTimeMillis();
        if (now - readAtMs >= MAX_AGE_MS) {
            readAtMs = now;
            lastRecords = read();
        }
        return lastRecords;
    }

    private long read() {
        try {
            List<TopicPartition> partitions = admin
                    .describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(topic)
                    .partitions()
                    .stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>(); // only where the group never committed
            for (TopicPartition tp : partitions) {
                latest.put(tp, OffsetSpec.latest());
                if (committed.get(tp) == null) {
                    earliest.put(tp, OffsetSpec.earliest());
                }
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = earliest.isEmpty()
                    ? Map.of()
                    : admin.listOffsets(earliest).all().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long lag = 0;
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                long from = c == null ? starts.get(tp).offset() : c.offset();
                lag += Math.max(0, ends.get(tp).offset() - from);
            }
            lastError = null;
            return lag;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            if (lastError == null) { // once per outage, not once per scrape
                LOG.warn(
                        "cannot read the ingest job's lag; it is -1 until Kafka answers [topic={}, group={}]: {}",
                        topic,
                        group,
                        e.toString());
            }
            lastError = e.toString();
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Why the last read from Kafka failed; null when it succeeded. */
    public String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        admin.close();
    }
}
