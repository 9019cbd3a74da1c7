package io.meridian.storage.node;

import java.time.Duration;
import java.util.Objects;

/**
 * The node's replication settings, read from configuration and handed to the {@code ReplicaController}. The
 * fields mirror the replication controller's own options record one to one, so the controller's factory maps
 * them field by field.
 *
 * @param fetchMaxBytes     {@code storage.replication.fetch-max-bytes}: rough size bound of one follower fetch
 *                          (at most {@code storage.server.max-message-size})
 * @param fetchWait         {@code storage.replication.fetch-wait}: how long a fetch waits for new ops (0..10s)
 * @param lagMax            {@code storage.replication.lag-max}: a follower that has not fetched for this long leaves
 *                          the leader's in-sync view
 * @param ackTimeout        {@code storage.replication.ack-timeout}: how long a write waits for its write concern
 *                          before a retriable error
 * @param maxUncommittedOps {@code storage.replication.max-uncommitted-ops}: ops a leader may hold beyond the commit
 *                          point before writes get a retriable busy error
 * @param walRetentionMax   {@code storage.replication.wal-retention-max}: WAL bytes a leader keeps beyond its flush
 *                          checkpoint for lagging followers; a follower further behind needs a re-sync
 */
public record ReplicationSettings(long fetchMaxBytes, Duration fetchWait, Duration lagMax, Duration ackTimeout,
                                  long maxUncommittedOps, long walRetentionMax) {
    public static final long DEFAULT_FETCH_MAX_BYTES = 4L << 20;
    public static final Duration DEFAULT_FETCH_WAIT = Duration.ofMillis(500);
    public static final Duration MAX_FETCH_WAIT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_LAG_MAX = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_MAX_UNCOMMITTED_OPS = 10_000;
    public static final long DEFAULT_WAL_RETENTION_MAX = 1L << 30;

    public ReplicationSettings {
        Objects.requireNonNull(fetchWait, "fetchWait");
        Objects.requireNonNull(lagMax, "lagMax");
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        if (fetchMaxBytes < 1 || maxUncommittedOps < 1 || walRetentionMax < 1) {
            throw new IllegalArgumentException("invalid replication settings [fetchMaxBytes=" + fetchMaxBytes
                    + ", maxUncommittedOps=" + maxUncommittedOps + ", walRetentionMax=" + walRetentionMax
                    + "]: must be positive");
        }
        if (fetchWait.isNegative() || fetchWait.compareTo(MAX_FETCH_WAIT) > 0) {
            throw new IllegalArgumentException("invalid replication settings [fetchWait=" + fetchWait
                    + "]: want 0..10s");
        }
    }

    public static ReplicationSettings defaults() {
        return new ReplicationSettings(DEFAULT_FETCH_MAX_BYTES, DEFAULT_FETCH_WAIT, DEFAULT_LAG_MAX,
                DEFAULT_ACK_TIMEOUT, DEFAULT_MAX_UNCOMMITTED_OPS, DEFAULT_WAL_RETENTION_MAX);
    }
}
