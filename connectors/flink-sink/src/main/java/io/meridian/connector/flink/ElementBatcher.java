package io.meridian.connector.flink;

import java.io.IOException;
import java.io.Serializable;

/**
 * Puts one input element of the sink into the shard buffers: {@link ShardBatch}es as they are, user records
 * through a {@link PointConverter} and the series hash.
 *
 * @param <IN> the sink's input type
 */
interface ElementBatcher<IN> extends Serializable {
    /** @return the buffer that received the element (the writer sends it when it is full) */
    ShardBuffers.Buffer add(IN element, ShardBuffers buffers, ShardRpc rpc) throws IOException;

    /** The batcher of pre-sharded batches (the ingest job's decode step's output). */
    static ElementBatcher<ShardBatch> shardBatches() {
        return (b, buffers, rpc) -> b.partials
                ? buffers.addPartials(b.database, b.shard, b.batch, b.points, b.cells)
                : buffers.addBatch(b.database, b.shard, b.batch, b.points);
    }
}
