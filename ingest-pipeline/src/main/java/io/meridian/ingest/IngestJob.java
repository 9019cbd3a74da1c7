package io.meridian.ingest;

import io.meridian.connector.flink.MeridianAggregations;
import io.meridian.connector.flink.MeridianSink;
import io.meridian.connector.flink.ShardBatch;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The ingest job's topology (ARCHITECTURE §3):
 * <pre>
 *   KafkaSource(ingest topic) --> IngestDecoder --(ShardBatch)--> pre-aggregate --> MeridianSink (exactly once)
 *                                      \--(dead letters)--> KafkaSink(dlq topic, at least once)    --> shard leaders
 * </pre>
 * The pre-aggregation ({@code ingest.preaggregate.*}, stream down-sampling) folds each shard's points into exact
 * per-slot partial aggregates and empties itself before every checkpoint barrier, so it keeps no state.
 * All operators are chained: no network shuffle (the sink batches per shard itself, and Kafka partitions are
 * aligned with shards by the broker). Kafka offsets and the sink's staged transactions are in the same
 * checkpoint, so a restore re-reads exactly what was not committed.
 */
public final class IngestJob {
    private IngestJob() {}

    /** The Flink configuration the job needs on any cluster (also what the embedded MiniCluster starts with). */
    public static Configuration flinkConfiguration(IngestJobConfig config) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // every type is a POJO: fail fast on a Kryo fallback
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofMillis(200));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(10));
        if (!config.checkpointDir().isEmpty()) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        }
        return conf;
    }

    /** Adds the job to {@code env}: checkpointing, source, decode, sink and dead-letter sink. */
    public static void build(StreamExecutionEnvironment env, IngestJobConfig config) {
        build(env, config, UnaryOperator.identity());
    }

    /**
     * The same, with {@code tap} between decode and sink (tests inject task failures there; it must keep the
     * stream's elements as they are).
     */
    static void build(
            StreamExecutionEnvironment env, IngestJobConfig config, UnaryOperator<DataStream<ShardBatch>> tap) {
        env.setParallelism(config.parallelism());
        // chained operators hand elements on without a copy: the decoder's parsed batch reaches the pre-aggregation
        // (no operator keeps an element after processing it)
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(config.checkpointInterval().toMillis());
        // a short pause: visibility waits for the next checkpoint, so the pause adds to every point's latency
        env.getCheckpointConfig()
                .setMinPauseBetweenCheckpoints(
                        Math.min(config.checkpointInterval().toMillis() / 10, 100));

        KafkaSourceBuilder<KafkaIngestRecord> source = KafkaSource.<KafkaIngestRecord>builder()
                .setBootstrapServers(String.join(",", config.bootstrapServers()))
                .setTopics(config.topic())
                .setGroupId(config.groupId())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(
                        config.startingOffsets() == IngestConfigKeys.StartingOffsets.LATEST
                                ? OffsetResetStrategy.LATEST
                                : OffsetResetStrategy.EARLIEST))
                .setDeserializer(new IngestDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("fetch.max.bytes", Long.toString(Math.min(Integer.MAX_VALUE, config.fetchMaxBytes())));
        if (config.bounded()) {
            source.setBounded(OffsetsInitializer.latest());
        }
        SingleOutputStreamOperator<ShardBatch> batches = env.fromSource(
                        source.build(), WatermarkStrategy.noWatermarks(), "kafka: " + config.topic())
                .uid("ingest-source")
                .process(new IngestDecoder(config))
                .name("decode + validate")
                .uid("ingest-decode");
        MeridianSink<ShardBatch> sink = MeridianSink.forShardBatches()
                .setEtcdEndpoints(config.etcdEndpoints().toArray(String[]::new))
                .setMetaRoot(config.metaRoot())
                .setIdc(config.idc())
                .setSinkId(config.sinkId())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setMaxBatchPoints(config.sinkBatchPoints())
                .setRequestTimeout(config.sinkTimeout())
                .build();
        DataStream<ShardBatch> toSink = batches;
        if (config.preAggregate()) {
            toSink = MeridianAggregations.preAggregate(batches, sink, config.preAggregateOptions())
                    .name("pre-aggregate")
                    .uid("ingest-preaggregate");
        }
        tap.apply(toSink).sinkTo(sink).name("meridian").uid("ingest-sink");
        batches.getSideOutput(IngestDecoder.DEAD_LETTERS)
                .sinkTo(KafkaSink.<DeadLetter>builder()
                        .setBootstrapServers(String.join(",", config.bootstrapServers()))
                        .setRecordSerializer(new DeadLetterSerializer(config.dlqTopic()))
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .build())
                .name("kafka: " + config.dlqTopic())
                .uid("ingest-dlq");
    }
}
