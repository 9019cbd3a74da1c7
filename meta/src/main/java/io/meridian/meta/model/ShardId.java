package io.meridian.meta.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identifies one shard of a database in one storage cluster.
 *
 * @param db database name
 * @param cluster storage cluster name
 * @param shard shard number, 0-based
 */
public record ShardId(String db, String cluster, int shard) implements Comparable<ShardId> {
    private static final Comparator<ShardId> ORDER =
            Comparator.comparing(ShardId::db).thenComparing(ShardId::cluster).thenComparingInt(ShardId::shard);

    public ShardId {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(cluster, "cluster");
    }

    @Override
    public int compareTo(ShardId o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return db + "/" + cluster + "/" + shard;
    }
}
