package io.meridian.connector.flink;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Writes a Flink stream into a Meridian database: a Sink V2 that batches per (database, shard) and sends to the
 * shard leaders it finds in the cluster's metadata (etcd), following leader changes.
 *
 * <pre>{@code
 * stream.sinkTo(MeridianSink.forPoints("metrics", (Order o) -> new MeridianPoint("orders",
 *                 Map.of("region", o.region), o.timeMs, Map.of("amount", o.amount)))
 *         .setEtcdEndpoints("http://127.0.0.1:2379")
 *         .build());
 * }</pre>
 *
 * <p>Delivery: <b>exactly once</b> when the job checkpoints (the default then): points become visible when the
 * checkpoint that covers them completes, and a failure, a restart or a shard leader change neither loses nor
 * repeats a point. <b>At least once</b> without checkpointing: points are visible within
 * {@code maxBatchDelay}; a restarted job may write again what it wrote since its last checkpoint. See
 * {@link MeridianSinkWriter} for the protocol.
 *
 * @param <IN> the stream's element type
 */
public final class MeridianSink<IN>
        implements Sink<IN>,
                SupportsWriterState<IN, WriterState>,
                SupportsCommitter<ShardCommittable>,
                SupportsPreWriteTopology<IN> {
    private static final long serialVersionUID = 1L;

    private SinkSettings settings;
    private final ElementBatcher<IN> batcher;

    MeridianSink(SinkSettings settings, ElementBatcher<IN> batcher) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.batcher = Objects.requireNonNull(batcher, "batcher");
    }

    /** A sink of a job's own records into {@code database}, each mapped to a point by {@code converter}. */
    public static <T> MeridianSinkBuilder<T> forPoints(String database, PointConverter<T> converter) {
        return new MeridianSinkBuilder<>(new PointBatcher<>(database, converter));
    }

    /**
     * A sink of partial aggregates a job folded itself (a keyed window per series and slot, for instance) into
     * {@code database}, each mapped by {@code converter}; storage merges them exactly like the points they fold.
     */
    public static <T> MeridianSinkBuilder<T> forPartials(String database, PartialConverter<T> converter) {
        return new MeridianSinkBuilder<>(new PartialBatcher<>(database, converter));
    }

    /** A sink of pre-sharded batches (what Meridian's ingest job writes), any database. */
    public static MeridianSinkBuilder<ShardBatch> forShardBatches() {
        return new MeridianSinkBuilder<>(ElementBatcher.shardBatches());
    }

    /** The sink's settings (its cluster, for operators that read metadata before it). */
    SinkSettings settings() {
        return settings;
    }

    /** The delivery guarantee, once resolved (null before the job graph is built when it was left to the job). */
    public DeliveryGuarantee deliveryGuarantee() {
        return settings.guarantee();
    }

    /** Resolves an unset guarantee from the job's checkpointing when the sink joins the job graph. */
    @Override
    public DataStream<IN> addPreWriteTopology(DataStream<IN> input) {
        if (settings.guarantee() == null) {
            boolean checkpointing =
                    input.getExecutionEnvironment().getCheckpointConfig().isCheckpointingEnabled();
            settings = settings.withGuarantee(
                    checkpointing ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
        }
        return input;
    }

    @Override
    public StatefulSinkWriter<IN, WriterState> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<IN, WriterState> restoreWriter(
            WriterInitContext context, Collection<WriterState> recoveredState) {
        SinkSettings s =
                settings.guarantee() == null ? settings.withGuarantee(DeliveryGuarantee.EXACTLY_ONCE) : settings;
        return new MeridianSinkWriter<>(s, batcher, context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<WriterState> getWriterStateSerializer() {
        return new WriterState.Serializer();
    }

    @Override
    public Committer<ShardCommittable> createCommitter(CommitterInitContext context) {
        return new MeridianCommitter(settings);
    }

    @Override
    public SimpleVersionedSerializer<ShardCommittable> getCommittableSerializer() {
        return new ShardCommittableSerializer();
    }
}
