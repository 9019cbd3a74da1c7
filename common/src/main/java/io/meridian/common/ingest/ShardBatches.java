package io.meridian.common.ingest;

import io.meridian.common.rpc.storage.v1.PointBatch;
import java.util.Map;
import java.util.Objects;

/**
 * A write request cut into one columnar batch per shard of a database, ready for the shard leaders.
 *
 * @param database the database
 * @param batches  shard number to its batch
 * @param points   non-NaN values over all batches
 * @param skipped  what the parse dropped on purpose (string fields, lines with only strings)
 * @param checked  every batch already keeps {@link BatchRules} with the database's base retention and
 *                 {@link BatchRules#DEFAULT_FUTURE_TOLERANCE}: its builder checked each series as it went (the
 *                 remote-write batcher, and the line batcher given the database's window), so the broker need not
 *                 check it a second time
 */
public record ShardBatches(
        String database, Map<Integer, PointBatch> batches, long points, Skipped skipped, boolean checked) {
    /** What a write dropped by policy rather than refused: reported to the client and counted. */
    public record Skipped(int stringFields, int lines) {
        public static final Skipped NONE = new Skipped(0, 0);
    }

    public ShardBatches {
        batches = Map.copyOf(batches);
        Objects.requireNonNull(skipped, "skipped");
    }

    /** Batches that the broker still checks against {@link BatchRules}. */
    public ShardBatches(String database, Map<Integer, PointBatch> batches, long points, Skipped skipped) {
        this(database, batches, points, skipped, false);
    }

    /** Batches of a write that dropped nothing. */
    public ShardBatches(String database, Map<Integer, PointBatch> batches, long points) {
        this(database, batches, points, Skipped.NONE, false);
    }
}
