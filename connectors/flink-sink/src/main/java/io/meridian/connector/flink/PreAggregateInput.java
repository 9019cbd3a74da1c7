package io.meridian.connector.flink;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link PreAggregateOperator} takes its input: per-shard batches (the ingest job's decode output) or a user's
 * records through a {@link PointConverter}.
 *
 * @param <IN> the operator's input type
 */
interface PreAggregateInput<IN> extends Serializable {
    /** Folds {@code element} into the operator's tables, or passes it on. */
    void fold(IN element, PreAggregateOperator<IN> operator);

    /** Per-shard batches: points are folded, partials and batches of a bypassed shard pass through. */
    static PreAggregateInput<ShardBatch> shardBatches() {
        return (b, op) -> {
            if (b.partials || op.bypassing(b.database, b.shard)) {
                op.pass(b);
                return;
            }
            try {
                op.fold(b.database, b.shard, b.parsed != null ? b.parsed : PointBatch.parseFrom(b.batch));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("unparsable batch [db=" + b.database + ", shard=" + b.shard + "]", e);
            }
        };
    }

    /** A user's records, converted, checked and sharded as {@link MeridianSink#forPoints} does. */
    static <T> PreAggregateInput<T> points(String database, PointConverter<T> converter) {
        Objects.requireNonNull(converter, "converter");
        return new PreAggregateInput<>() {
            private transient int shards;

            @Override
            public void fold(T element, PreAggregateOperator<T> op) {
                if (shards == 0) {
                    shards = op.shards(database);
                }
                MeridianPoint p = converter.toPoint(element);
                if (p == null) {
                    throw new IllegalArgumentException("the point converter returned null [element=" + element + "]");
                }
                PointBatcher.check(p);
                SeriesKey key = SeriesKey.of(p.metric(), p.tags());
                List<String> names = new ArrayList<>(p.fields().keySet());
                names.sort(null);
                double[] values = new double[names.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = p.fields().get(names.get(i));
                }
                op.fold(
                        database,
                        SeriesHash.shardOf(key.canonicalBytes(), shards),
                        key,
                        names,
                        p.timestampMs(),
                        values);
            }
        };
    }
}
