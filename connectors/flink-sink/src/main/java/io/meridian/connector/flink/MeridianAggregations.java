package io.meridian.connector.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Stream down-sampling for Flink jobs that write to Meridian: fold points into exact per-slot partial aggregates
 * before the sink, so storage receives, logs and replicates one cell per (series, field, base slot) instead of every
 * point, with every answer unchanged (COUNT, SUM, MIN, MAX, AVG, FIRST, LAST, percentiles, counters).
 *
 * <pre>{@code
 * MeridianSink<ShardBatch> sink = MeridianSink.forShardBatches().setEtcdEndpoints("http://127.0.0.1:2379").build();
 * MeridianAggregations.preAggregate(batches, sink, PreAggregateOptions.defaults()).sinkTo(sink);
 * }</pre>
 *
 * The guarantees are the sink's: with checkpoints, exactly once (the operator holds nothing across a checkpoint).
 */
public final class MeridianAggregations {
    private MeridianAggregations() {}

    /**
     * Pre-aggregates per-shard batches for {@code sink} (whose cluster settings it uses to read each database's base
     * interval and field types); chain the result straight into that sink.
     */
    public static SingleOutputStreamOperator<ShardBatch> preAggregate(
            DataStream<ShardBatch> batches, MeridianSink<ShardBatch> sink, PreAggregateOptions options) {
        return batches.transform(
                        "pre-aggregate",
                        TypeInformation.of(ShardBatch.class),
                        new PreAggregateOperator(sink.settings(), options))
                .setParallelism(batches.getParallelism());
    }
}
