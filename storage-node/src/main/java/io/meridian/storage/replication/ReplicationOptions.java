package io.meridian.storage.replication;

import io.meridian.common.error.InvalidInputException;
import java.time.Duration;
import java.util.Objects;

/**
 * Typed replication settings of a storage node.
 *
 * @param fetchMaxBytes {@code storage.replication.fetch-max-bytes}: rough size bound of one fetch (default 4 MiB)
 * @param fetchWait     {@code storage.replication.fetch-wait}: how long a fetch waits for new ops (default 500ms)
 * @param lagMax        {@code storage.replication.lag-max}: a follower that has not fetched for this long leaves
 *                      the leader's in-sync view (write concern ALL stops waiting for it; default 10s)
 * @param ackTimeout    {@code storage.replication.ack-timeout}: how long a write waits for its write concern
 *                      before a retriable NOT_REPLICATED error (default 10s)
 * @param maxUncommittedOps {@code storage.replication.max-uncommitted-ops}: ops the leader may hold beyond the
 *                      commit point before writes get a retriable BUSY error (default 10000)
 * @param walRetentionMax {@code storage.replication.wal-retention-max}: WAL bytes a leader keeps beyond its flush
 *                      checkpoint for lagging followers (default 1 GiB); a follower further behind needs a re-sync
 */
public record ReplicationOptions(
        long fetchMaxBytes,
        Duration fetchWait,
        Duration lagMax,
        Duration ackTimeout,
        long maxUncommittedOps,
        long walRetentionMax) {
    public static final long DEFAULT_FETCH_MAX_BYTES = 4L << 20;
    public static final Duration DEFAULT_FETCH_WAIT = Duration.ofMillis(500);
    public static final Duration MAX_FETCH_WAIT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_LAG_MAX = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_MAX_UNCOMMITTED_OPS = 10_000;
    public static final long DEFAULT_WAL_RETENTION_MAX = 1L << 30;

    public ReplicationOptions {
        Objects.requireNonNull(fetchWait, "fetchWait");
        Objects.requireNonNull(lagMax, "lagMax");
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        positive("storage.replication.fetch-max-bytes", fetchMaxBytes);
        positive("storage.replication.lag-max", lagMax.toMillis());
        positive("storage.replication.ack-timeout", ackTimeout.toMillis());
        positive("storage.replication.max-uncommitted-ops", maxUncommittedOps);
        positive("storage.replication.wal-retention-max", walRetentionMax);
        if (fetchWait.isNegative() || fetchWait.toMillis() > 10_000) {
            throw new InvalidInputException(
                    "invalid option [storage.replication.fetch-wait=" + fetchWait + "]: want 0..10s");
        }
    }

    public static ReplicationOptions defaults() {
        return new ReplicationOptions(
                DEFAULT_FETCH_MAX_BYTES,
                DEFAULT_FETCH_WAIT,
                DEFAULT_LAG_MAX,
                DEFAULT_ACK_TIMEOUT,
                DEFAULT_MAX_UNCOMMITTED_OPS,
                DEFAULT_WAL_RETENTION_MAX);
    }

    private static void positive(String key, long v) {
        if (v <= 0) {
            throw new InvalidInputException("invalid option [" + key + "=" + v + "]: must be positive");
        }
    }
}
