package io.meridian.connector.flink;

import io.meridian.common.model.Names;
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
     * Pre-aggregates per-shard batches (the ingest job's decode output, {@link MeridianSink#forShardBatches}) for
     * {@code sink}, whose cluster settings it uses to read each database's base interval and field types; chain the
     * result straight into that sink.
     */
    public static SingleOutputStreamOperator<ShardBatch> preAggregate(
            DataStream<ShardBatch> batches, MeridianSink<ShardBatch> sink, PreAggregateOptions options) {
        return apply(batches, sink, options, PreAggregateInput.shardBatches());
    }

    /**
     * Pre-aggregates a job's own records for database {@code database}: each is converted to a point (as
     * {@link MeridianSink#forPoints} does), sharded by the series hash and folded; the result goes into {@code sink}
     * (a {@link MeridianSink#forShardBatches} sink of the same cluster).
     *
     * <pre>{@code
     * MeridianSink<ShardBatch> sink = MeridianSink.forShardBatches().setEtcdEndpoints("http://etcd-1:2379").build();
     * MeridianAggregations.preAggregate(requests, "web", (Request r) -> new MeridianPoint("http",
     *                 Map.of("route", r.route), r.timeMs, Map.of("latency_ms", r.latencyMs)),
     *                 sink, PreAggregateOptions.defaults())
     *         .sinkTo(sink);
     * }</pre>
     */
    public static <T> SingleOutputStreamOperator<ShardBatch> preAggregate(
            DataStream<T> records,
            String database,
            PointConverter<T> converter,
            MeridianSink<ShardBatch> sink,
            PreAggregateOptions options) {
        return apply(
                records, sink, options, PreAggregateInput.points(Names.requireValid("database", database), converter));
    }

    private static <T> SingleOutputStreamOperator<ShardBatch> apply(
            DataStream<T> in, MeridianSink<ShardBatch> sink, PreAggregateOptions options, PreAggregateInput<T> input) {
        return in.transform(
                        "pre-aggregate",
                        TypeInformation.of(ShardBatch.class),
                        new PreAggregateOperator<>(sink.settings(), options, input))
                .setParallelism(in.getParallelism());
    }
}
