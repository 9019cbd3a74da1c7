package io.meridian.storage.node;

import java.time.Duration;
import java.util.Objects;

/**
 * The node's replication settings, read from configuration and handed to the {@code ReplicaController}.
 *
 * @param fetchMaxBytes {@code storage.replication.fetch-max-bytes}: most replica-log bytes a follower asks the
 *                      leader for in one fetch (at most {@code storage.server.max-message-size})
 * @param lagMax        {@code storage.replication.lag-max}: a follower further behind the leader than this
 *                      leaves the in-sync set
 * @param ackTimeout    {@code storage.replication.ack-timeout}: how long a leader waits for the followers a
 *                      write concern needs before failing the write as retriable
 */
public record ReplicationSettings(long fetchMaxBytes, Duration lagMax, Duration ackTimeout) {
    public static final long DEFAULT_FETCH_MAX_BYTES = 4L << 20;
    public static final Duration DEFAULT_LAG_MAX = Duration.ofSeconds(30);
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(10);

    public ReplicationSettings {
        Objects.requireNonNull(lagMax, "lagMax");
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        if (fetchMaxBytes < 1) {
            throw new IllegalArgumentException("invalid replication settings [fetchMaxBytes=" + fetchMaxBytes
                    + "]: must be positive");
        }
    }

    public static ReplicationSettings defaults() {
        return new ReplicationSettings(DEFAULT_FETCH_MAX_BYTES, DEFAULT_LAG_MAX, DEFAULT_ACK_TIMEOUT);
    }
}
