package io.meridian.broker.write;

import io.meridian.common.ingest.ShardBatches;
import java.util.Optional;

/**
 * Where the write endpoint sends a validated request's per-shard batches: the shard leaders
 * ({@link ShardWriter}, direct mode) or the ingest topic ({@link KafkaShardWriter}, Kafka mode). The choice is
 * {@code broker.write.mode}.
 *
 * <p>Implementations are thread-safe: every HTTP worker thread calls {@link #write} concurrently.
 */
public interface BatchSink extends AutoCloseable {

    /**
     * Sends every shard's batch and returns once all are acknowledged (by the shard leaders, or by Kafka with
     * {@code acks=all}).
     *
     * @throws io.meridian.common.error.MeridianException a retriable one (HTTP 503) when a shard or the topic did
     *                                                    not acknowledge in time; some batches may have been
     *                                                    written then, so the client's retry is at least once
     */
    void write(ShardBatches request);

    /**
     * Why this sink cannot take writes yet (e.g. Kafka not reached), or empty when it can; what
     * {@code /health/ready} reports. Never blocks.
     */
    default Optional<String> notReadyReason() {
        return Optional.empty();
    }

    /** Stops sending; a {@link #write} after this fails. */
    @Override
    void close();
}
