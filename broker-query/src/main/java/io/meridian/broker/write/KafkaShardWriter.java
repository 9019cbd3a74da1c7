package io.meridian.broker.write;

import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.connector.kafka.IngestProducerSettings;
import io.meridian.connector.kafka.IngestRecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request's per-shard batches to the ingest topic (Kafka write mode, ARCHITECTURE §3): one {@code pb1}
 * record per (database, shard) of the request, to partition {@code shard mod partitions}, keyed by the shard
 * (connectors/kafka FORMAT.md). {@link #write} returns once Kafka acknowledged every record of the request with
 * {@code acks=all}; a failed record, a Kafka that cannot be reached, or {@code ack-timeout} running out throws a
 * retriable {@link ShardUnavailableException} (HTTP 503) naming the topic and the partition.
 *
 * <p>The topic's partition count is looked up on the first write and again after any failed write (a deleted or
 * re-created topic, a Kafka that was unreachable); a topic with fewer partitions than a database has shards still works, but shards then
 * share partitions, which is logged once per database as a warning.
 *
 * <p>Delivery is at least once: when some records of a request were acknowledged and another failed, the client
 * is answered 503 and its retry produces the acknowledged ones again. The idempotent producer prevents
 * duplicates from its own retries only.
 *
 * <p>Threading: thread-safe; one {@link KafkaProducer} (and one admin client for partition lookups) shared by all
 * HTTP worker threads.
 */
public final class KafkaShardWriter implements BatchSink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaShardWriter.class);
    /** How long {@link #close()} waits for records still in flight. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaWriteOptions options;
    private final Producer<byte[], byte[]> producer;
    private final Admin admin;
    /** The topic's partition count, 0 when it must be looked up (first write, or after a metadata error). */
    private volatile int partitions;

    private final Set<String> misalignedWarned = ConcurrentHashMap.newKeySet();
    /** A readiness lookup of the topic is running. */
    private final AtomicBoolean lookup = new AtomicBoolean();

    private volatile String lastLookupError;

    public KafkaShardWriter(KafkaWriteOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        long ackMs = options.ackTimeout().toMillis();
        this.producer = new KafkaProducer<>(IngestProducerSettings.of(
                String.join(",", options.bootstrapServers()),
                Map.of(
                        ProducerConfig.CLIENT_ID_CONFIG,
                        options.clientId(),
                        // send() blocks for metadata at most this long; a request never waits longer than its timeout
                        ProducerConfig.MAX_BLOCK_MS_CONFIG,
                        ackMs,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        (int) Math.min(Integer.MAX_VALUE, ackMs),
                        // the producer gives a record up soon after the client got its 503 (fewer late duplicates)
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        (int) Math.min(Integer.MAX_VALUE, ackMs + IngestProducerSettings.LINGER_MS))));
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                String.join(",", options.bootstrapServers()),
                AdminClientConfig.CLIENT_ID_CONFIG,
                options.clientId() + "-admin"));
        LOG.info(
                "kafka write mode [topic={}, bootstrap={}, ackTimeoutMs={}]",
                options.topic(),
                options.bootstrapServers(),
                ackMs);
    }

    /** The topic records go to. */
    public String topic() {
        return options.topic();
    }

    @Override
    public void write(ShardBatches request) {
        long deadline = System.nanoTime() + options.ackTimeout().toNanos();
        int count = partitionCount(deadline);
        warnIfMisaligned(request, count);
        List<Sent> sent = new ArrayList<>(request.batches().size());
        for (Map.Entry<Integer, PointBatch> e : request.batches().entrySet()) {
            ProducerRecord<byte[], byte[]> record =
                    IngestRecordCodec.encodeBatch(options.topic(), count, request.database(), e.getKey(), e.getValue());
            try {
                sent.add(new Sent(e.getKey(), record.partition(), producer.send(record)));
            } catch (KafkaException ex) { // e.g. metadata not available within max.block.ms, or closed
                throw failure(request.database(), e.getKey(), record.partition(), ex);
            }
        }
        for (Sent s : sent) {
            await(request.database(), s, deadline);
        }
    }

    private record Sent(int shard, int partition, Future<RecordMetadata> ack) {}

    private void await(String db, Sent s, long deadline) {
        try {
            s.ack().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            partitions = 0; // see failure(): look the topic up again
            throw new ShardUnavailableException(
                    "write not acknowledged by kafka in time [topic=" + options.topic()
                            + ", partition=" + s.partition() + ", database=" + db + ", shard=" + s.shard()
                            + ", timeout="
                            + options.ackTimeout().toMillis() + "ms]",
                    e);
        } catch (ExecutionException e) {
            throw failure(db, s.shard(), s.partition(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShardUnavailableException(
                    "interrupted while waiting for kafka [topic=" + options.topic() + ", partition=" + s.partition()
                            + "]",
                    e);
        }
    }

    private ShardUnavailableException failure(String db, int shard, int partition, Throwable cause) {
        // look the topic up again on the next write: it may have been deleted, re-created or given more partitions
        // (InvalidMetadataException), or Kafka was unreachable (metadata timeout); a lookup is cheap
        partitions = 0;
        return new ShardUnavailableException(
                "kafka refused the write [topic=" + options.topic() + ", partition=" + partition + ", database=" + db
                        + ", shard=" + shard + "]: " + cause,
                cause);
    }

    /**
     * Empty once the ingest topic's partitions were looked up (by a write or by this check). Until then each
     * call starts one lookup in the background (the admin client's own threads) and reports what is missing.
     */
    @Override
    public Optional<String> notReadyReason() {
        if (partitions > 0) {
            return Optional.empty();
        }
        if (lookup.compareAndSet(false, true)) {
            admin.describeTopics(Set.of(options.topic())).allTopicNames().whenComplete((topics, error) -> {
                if (error == null
                        && topics.get(options.topic()) != null
                        && !topics.get(options.topic()).partitions().isEmpty()) {
                    partitions = topics.get(options.topic()).partitions().size();
                } else {
                    lastLookupError = String.valueOf(error);
                }
                lookup.set(false);
            });
        }
        String error = lastLookupError;
        return Optional.of("the ingest topic is not reached yet [topic=" + options.topic() + ", bootstrap="
                + options.bootstrapServers() + "]" + (error == null ? "" : ": " + error));
    }

    /** The cached partition count, looked up (within the request's deadline) when unknown. */
    private int partitionCount(long deadline) {
        int n = partitions;
        if (n > 0) {
            return n;
        }
        // through the admin client, not producer.partitionsFor: the producer's metadata cache may still describe
        // a deleted topic, the admin asks a broker
        List<TopicPartitionInfo> infos;
        try {
            infos = admin.describeTopics(Set.of(options.topic()))
                    .allTopicNames()
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                    .get(options.topic())
                    .partitions();
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            String what = cause instanceof UnknownTopicOrPartitionException
                    ? "the ingest topic does not exist"
                    : "cannot look up the partitions of the ingest topic";
            throw new ShardUnavailableException(
                    what + " [topic=" + options.topic() + ", bootstrap=" + options.bootstrapServers() + "]: " + cause,
                    cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShardUnavailableException(
                    "interrupted while looking up the ingest topic [topic=" + options.topic() + "]", e);
        }
        if (infos == null || infos.isEmpty()) {
            throw new ShardUnavailableException(
                    "the ingest topic has no partitions [topic=" + options.topic()
                            + "]: create it with at least one (ideally one per shard)",
                    null);
        }
        partitions = infos.size();
        LOG.info("ingest topic partitions [topic={}, partitions={}]", options.topic(), infos.size());
        return infos.size();
    }

    /** Shards at or above the partition count share partitions with others: alignment with shards is lost. */
    private void warnIfMisaligned(ShardBatches request, int count) {
        int maxShard = request.batches().keySet().stream()
                .mapToInt(Integer::intValue)
                .max()
                .orElse(-1);
        if (maxShard >= count && misalignedWarned.add(request.database() + "/" + count)) {
            LOG.warn(
                    "ingest topic has fewer partitions than the database has shards; shards share partitions"
                            + " [topic={}, partitions={}, database={}, shardSeen={}]",
                    options.topic(),
                    count,
                    request.database(),
                    maxShard);
        }
    }

    @Override
    public void close() {
        try {
            producer.close(CLOSE_TIMEOUT);
        } finally {
            admin.close(CLOSE_TIMEOUT);
        }
    }
}
