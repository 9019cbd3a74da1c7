package io.meridian.connector.flink;

import io.meridian.common.rpc.storage.v1.PointBatch;
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
    /** A serialized {@code PointBatch} with points (or, when {@link #partials}, partial aggregates) of that shard only. */
    public byte[] batch;
    /**
     * The non-NaN values in {@link #batch}, or the points its partial cells fold (for metrics and batching; not
     * trusted for correctness).
     */
    public long points;
    /**
     * True when {@link #batch} holds partial aggregates ({@code PointBatch.partials}, storage.proto revision 6)
     * instead of points; the sink keeps the two kinds in separate requests (a batch never mixes them).
     */
    public boolean partials;
    /** The non-empty partial cells in {@link #batch} (0 for points). */
    public long cells;
    /**
     * {@link #batch} already decoded, when the operator that made this element had it; not serialized, so only
     * chained operators of a job with object reuse see it (the ingest job: decode -> pre-aggregate), and only as a
     * shortcut: {@link #batch} is always there.
     */
    public transient PointBatch parsed;

    public ShardBatch() {}

    public ShardBatch(String database, int shard, byte[] batch, long points) {
        this.database = Objects.requireNonNull(database, "database");
        this.shard = shard;
        this.batch = Objects.requireNonNull(batch, "batch");
        this.points = points;
    }

    /** A batch of partial aggregates folding {@code points} points into {@code cells} cells. */
    public static ShardBatch ofPartials(String database, int shard, byte[] batch, long points, long cells) {
        ShardBatch b = new ShardBatch(database, shard, batch, points);
        b.partials = true;
        b.cells = cells;
        return b;
    }

    @Override
    public String toString() {
        return "ShardBatch[database=" + database + ", shard=" + shard + ", points=" + points
                + (partials ? ", cells=" + cells : "") + ", bytes=" + (batch == null ? 0 : batch.length) + "]";
    }
}
