package io.meridian.common.ingest;

import io.meridian.common.rpc.storage.v1.PointBatch;
import java.util.Map;

/**
 * A write request cut into one columnar batch per shard of a database, ready for the shard leaders.
 *
 * @param database the database
 * @param batches  shard number to its batch
 * @param points   non-NaN values over all batches
 */
public record ShardBatches(String database, Map<Integer, PointBatch> batches, long points) {
    public ShardBatches {
        batches = Map.copyOf(batches);
    }
}
