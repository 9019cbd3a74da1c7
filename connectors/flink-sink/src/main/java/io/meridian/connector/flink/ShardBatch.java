package io.meridian.connector.flink;

import java.util.Objects;

/**
 * The points of one shard of one database, already validated and sharded by the documented series hash: what
 * the ingest job's decode step emits and {@link MeridianSink#forShardBatches} writes. A Flink POJO (public
 * fields, no-arg constructor), so Flink serializes it without Kryo; the points stay one serialized
 * {@code meridian.storage.v1.PointBatch} (the {@code pb1} wire shape, a few bytes per point) so that crossing an
 * operator costs a byte copy, not a re-encode.
 */
public class ShardBatch {
    /** The database. */
    public String database;
    /** The shard number, {@code 0 <= shard < the database's shards}. */
    public int shard;
    /** A serialized {@code PointBatch} with points of that shard only. */
    public byte[] batch;
    /** The non-NaN values in {@link #batch} (for metrics and batching; not trusted for correctness). */
    public long points;

    public ShardBatch() {}

    public ShardBatch(String database, int shard, byte[] batch, long points) {
        this.database = Objects.requireNonNull(database, "database");
        this.shard = shard;
        this.batch = Objects.requireNonNull(batch, "batch");
        this.points = points;
    }

    @Override
    public String toString() {
        return "ShardBatch[database=" + database + ", shard=" + shard + ", points=" + points + ", bytes="
                + (batch == null ? 0 : batch.length) + "]";
    }
}
