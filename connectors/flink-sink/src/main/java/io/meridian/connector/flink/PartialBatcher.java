package io.meridian.connector.flink;

import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.model.AggState;
import io.meridian.common.model.Names;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import java.util.List;
import java.util.Objects;

/**
 * Batches a user's partial aggregates: converts each to a {@link MeridianPartial}, checks it against the rules storage
 * applies ({@link PartialRules}: a count, min <= max, first and last inside the slot and the range, histogram buckets
 * that add up, a slot on the database's base interval), and adds it to its shard's buffer by the series hash. A bad
 * partial fails with {@link IllegalArgumentException} naming series, field and slot, as {@link PointBatcher} does.
 */
final class PartialBatcher<T> implements ElementBatcher<T> {
    private final String database;
    private final PartialConverter<T> converter;
    private transient int shards;
    private transient long baseMs;

    PartialBatcher(String database, PartialConverter<T> converter) {
        this.database = Names.requireValid("database", database);
        this.converter = Objects.requireNonNull(converter, "converter");
    }

    @Override
    public ShardBuffers.Buffer add(T element, ShardBuffers buffers, ShardRpc rpc) {
        if (shards == 0) {
            var db = rpc.database(database);
            shards = db.shards();
            baseMs = db.intervals().get(0).intervalMillis();
        }
        MeridianPartial p = converter.toPartial(element);
        if (p == null) {
            throw new IllegalArgumentException("the partial converter returned null [element=" + element + "]");
        }
        SeriesKey key;
        try {
            key = SeriesKey.of(p.metric(), p.tags());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "invalid series [metric=" + p.metric() + ", tags=" + p.tags() + "]: " + e.getMessage(), e);
        }
        SeriesPartials series = SeriesPartialsCodec.encode(
                key,
                List.of(p.field()),
                List.of(p.type()),
                p.intervalMs(),
                new long[] {p.slotStartMs()},
                new AggState[] {p.state()});
        try {
            PartialRules.checkSeries(0, series, baseMs, null);
        } catch (BatchRules.Violation e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        byte[] batch = PointBatch.newBuilder().addPartials(series).build().toByteArray();
        return buffers.addPartials(
                database,
                SeriesHash.shardOf(key.canonicalBytes(), shards),
                batch,
                p.state().count(),
                1);
    }
}
