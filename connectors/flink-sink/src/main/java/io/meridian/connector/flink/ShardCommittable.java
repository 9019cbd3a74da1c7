package io.meridian.connector.flink;

import java.util.Objects;

/**
 * What one writer staged on one shard in one transaction; committed by {@link MeridianCommitter} once the
 * checkpoint that carries it completes. Serialized by {@link ShardCommittableSerializer}.
 *
 * @param database      the database
 * @param shard         the shard
 * @param writerId      the exactly-once writer on the storage side
 * @param transactionId the transaction (one per checkpoint, increasing per writer)
 * @param points        the points staged (for metrics)
 */
public record ShardCommittable(String database, int shard, String writerId, long transactionId, long points) {
    public ShardCommittable {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(writerId, "writerId");
    }
}
