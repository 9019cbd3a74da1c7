package io.meridian.ingest;

import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.lineprotocol.LineProtocolException;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.connector.flink.ShardBatch;
import io.meridian.connector.kafka.IngestRecord;
import io.meridian.connector.kafka.IngestRecordCodec;
import io.meridian.connector.kafka.IngestRecordException;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates ingest-topic records into per-shard batches: {@code lp} text is parsed once and cut per
 * shard by the series hash over the database's shard count (the same {@link LineBatcher} as the broker's HTTP
 * writes); {@code pb1} batches are already per shard; {@code pa1} batches of partial aggregates are per shard when
 * keyed, and cut per shard by the same series hash when not. Every batch of rows is then checked against
 * {@link BatchRules}, every batch of partials against {@link PartialRules} (with the database's base interval), the
 * rules the storage node applies (the tag limit and the declared field types aside: the job does not know the
 * nodes' setting or the schema), so one bad record cannot fail a whole staged transaction. Every record that cannot
 * be written goes, whole, to the {@link #DEAD_LETTERS} side output with the reason, and the job goes on: a missing
 * or bad header, broken line protocol, an unknown database, a shard out of range, a broken batch rule (e.g. a time
 * outside the database's write window, a partial with min > max).
 *
 * <p>Routing needs no shuffle: the output goes straight (chained) to the sink, which batches per shard.
 */
final class IngestDecoder extends ProcessFunction<KafkaIngestRecord, ShardBatch> {
    static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
    /** How long a record of a database the metadata does not have (yet) waits for it, once per database per minute. */
    private static final long UNKNOWN_DB_WAIT_MS = 2_000;

    private final IngestJobConfig config;
    private transient MetaStore store;
    private transient MetaCache meta;
    private transient Decoding decoding;
    private transient Map<String, Long> waitedFor;
    private transient Counter deadLetters;
    private transient Counter points;
    /** String fields of {@code lp} records dropped (the line's numeric fields are written), as the broker does. */
    private transient Counter stringFieldsSkipped;

    IngestDecoder(IngestJobConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        store = MetaStore.connect(new MetaStoreOptions(
                config.etcdEndpoints(),
                config.metaRoot(),
                MetaStoreOptions.DEFAULT_OPERATION_TIMEOUT,
                MetaStoreOptions.DEFAULT_WATCH_CHECK_INTERVAL));
        meta = new MetaCache(store, null, config.idc()).start();
        if (meta.await(s -> s.revision() > 0, Duration.ofSeconds(30)).isEmpty()) { // the first full read
            throw new IllegalStateException("no metadata from etcd in 30 s [endpoints=" + config.etcdEndpoints()
                    + ", root=" + config.metaRoot() + "]");
        }
        decoding = new Decoding(config.futureTolerance(), this::database);
        waitedFor = new HashMap<>();
        deadLetters = getRuntimeContext().getMetricGroup().counter("meridianDeadLetters");
        points = getRuntimeContext().getMetricGroup().counter("meridianPointsDecoded");
        stringFieldsSkipped = getRuntimeContext().getMetricGroup().counter("meridianStringFieldsSkipped");
    }

    @Override
    public void processElement(KafkaIngestRecord raw, Context ctx, Collector<ShardBatch> out) {
        Decoded d = decoding.decode(raw, System.currentTimeMillis());
        stringFieldsSkipped.inc(d.stringFieldsSkipped());
        if (d.deadReason() != null) {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, new DeadLetter(raw, d.deadReason()));
            return;
        }
        for (ShardBatch b : d.batches()) { // the whole record or nothing of it
            points.inc(b.points);
            out.collect(b);
        }
    }

    /** The database, waiting briefly (once a minute per name) for one the metadata cache has not seen yet. */
    private DatabaseConfig database(String name) {
        DatabaseConfig db = meta.snapshot().databases().get(name);
        if (db != null) {
            return db;
        }
        long now = System.currentTimeMillis();
        Long last = waitedFor.get(name);
        if (last != null && now - last < 60_000) {
            return null;
        }
        waitedFor.put(name, now);
        return meta.await(s -> s.databases().containsKey(name), Duration.ofMillis(UNKNOWN_DB_WAIT_MS))
                .map(s -> s.databases().get(name))
                .orElse(null);
    }

    @Override
    public void close() {
        if (meta != null) {
            meta.close();
        }
        if (store != null) {
            store.close();
        }
    }

    /**
     * What one record decodes to: its shard batches, or the reason it goes to the dead letters whole.
     *
     * @param batches             the batches to emit, in no particular order; empty when dead
     * @param deadReason          why the record cannot be written, or null
     * @param stringFieldsSkipped string fields of an {@code lp} record dropped by policy (counted either way)
     */
    record Decoded(List<ShardBatch> batches, String deadReason, int stringFieldsSkipped) {
        static Decoded dead(String reason, int stringFieldsSkipped) {
            return new Decoded(List.of(), Objects.requireNonNull(reason, "reason"), stringFieldsSkipped);
        }

        static Decoded of(List<ShardBatch> batches, int stringFieldsSkipped) {
            return new Decoded(List.copyOf(batches), null, stringFieldsSkipped);
        }
    }

    /**
     * The decode step without Flink and etcd: record bytes and a database lookup in, shard batches or a dead-letter
     * reason out. One per operator instance (its {@link LineBatcher} is reused and not thread-safe).
     */
    static final class Decoding {
        private final Duration futureTolerance;
        private final Function<String, DatabaseConfig> databases;
        private final LineBatcher lines = new LineBatcher();

        /**
         * @param futureTolerance how far ahead of now a point may be (the write window's upper end)
         * @param databases       the database of a name, or null when there is none
         */
        Decoding(Duration futureTolerance, Function<String, DatabaseConfig> databases) {
            this.futureTolerance = Objects.requireNonNull(futureTolerance, "futureTolerance");
            this.databases = Objects.requireNonNull(databases, "databases");
        }

        /** Decodes and checks one record at {@code nowMs} (the write window's reference time). */
        Decoded decode(KafkaIngestRecord raw, long nowMs) {
            IngestRecord record;
            try {
                record = IngestRecordCodec.decode(raw.toConsumerRecord());
            } catch (IngestRecordException e) {
                return Decoded.dead(e.getMessage(), 0);
            }
            DatabaseConfig db = databases.apply(record.database());
            if (db == null) {
                return Decoded.dead("unknown database [header=db, db=" + record.database() + "]: create it first", 0);
            }
            BatchRules.Limits limits =
                    BatchRules.Limits.window(nowMs, db.intervals().get(0).retention(), futureTolerance);
            if (record instanceof IngestRecord.Partials p) {
                return partials(raw, p, db, limits);
            }
            Map<Integer, PointBatch> batches;
            boolean fromLines = record instanceof IngestRecord.Lines;
            int skipped = 0;
            if (record instanceof IngestRecord.Lines l) {
                try {
                    ShardBatches cut =
                            lines.batch(db.name(), db.shards(), l.text(), 0, l.text().length, l.precision(), nowMs);
                    batches = cut.batches();
                    skipped = cut.skipped().stringFields();
                } catch (LineProtocolException e) {
                    return Decoded.dead("bad line protocol [format=lp]: " + e.getMessage(), 0);
                }
            } else {
                IngestRecord.Batch b = (IngestRecord.Batch) record;
                if (b.shard() >= db.shards()) {
                    return Decoded.dead(outOfRange("pb1", db, b.shard()), 0);
                }
                batches = Map.of(b.shard(), b.batch());
            }
            List<ShardBatch> checked = new ArrayList<>(batches.size());
            try {
                for (Map.Entry<Integer, PointBatch> e : batches.entrySet()) {
                    long n = BatchRules.check(e.getValue(), limits);
                    // a pb1 record's value is that batch already serialized: passed on as it came, not re-encoded
                    byte[] bytes = fromLines ? e.getValue().toByteArray() : raw.value;
                    ShardBatch b = new ShardBatch(db.name(), e.getKey(), bytes, n);
                    b.parsed = e.getValue(); // the pre-aggregation reads it instead of parsing the bytes again
                    checked.add(b);
                }
            } catch (BatchRules.Violation e) {
                return Decoded.dead(e.getMessage(), skipped);
            }
            return Decoded.of(checked, skipped);
        }

        /**
         * A {@code pa1} record: the whole batch checked against {@link PartialRules} first (so a reason names the
         * series by its place in the record), then passed on as it came when keyed, or cut per shard by the series
         * hash when not.
         */
        private static Decoded partials(
                KafkaIngestRecord raw, IngestRecord.Partials p, DatabaseConfig db, BatchRules.Limits limits) {
            if (p.keyed() && p.shard() >= db.shards()) {
                return Decoded.dead(outOfRange("pa1", db, p.shard()), 0);
            }
            PartialRules.Totals totals;
            try {
                totals = PartialRules.check(p.batch(), db.intervals().get(0).intervalMillis(), limits);
            } catch (BatchRules.Violation e) {
                return Decoded.dead(e.getMessage(), 0);
            }
            if (p.keyed()) {
                // the record's value is that batch already serialized: passed on as it came, not re-encoded
                return Decoded.of(
                        List.of(ShardBatch.ofPartials(
                                db.name(), p.shard(), raw.value, totals.points(), totals.cells())),
                        0);
            }
            // the names passed the rules, so the series key (and with it the shard) is well defined
            Map<Integer, PointBatch.Builder> perShard = new TreeMap<>();
            for (SeriesPartials s : p.batch().getPartialsList()) {
                int shard = SeriesHash.shardOf(SeriesPartialsCodec.key(s).canonicalBytes(), db.shards());
                perShard.computeIfAbsent(shard, k -> PointBatch.newBuilder()).addPartials(s);
            }
            if (perShard.size() == 1) { // every series of one shard: the record's bytes are that batch
                int shard = perShard.keySet().iterator().next();
                return Decoded.of(
                        List.of(ShardBatch.ofPartials(db.name(), shard, raw.value, totals.points(), totals.cells())),
                        0);
            }
            List<ShardBatch> out = new ArrayList<>(perShard.size());
            for (Map.Entry<Integer, PointBatch.Builder> e : perShard.entrySet()) {
                long points = 0;
                long cells = 0;
                for (SeriesPartials s : e.getValue().getPartialsList()) {
                    for (PartialAgg c : s.getCellsList()) {
                        // each count < 2^63 and their sum over the whole record did not overflow (the rules)
                        if (c.getCount() != 0) {
                            points += c.getCount();
                            cells++;
                        }
                    }
                }
                out.add(ShardBatch.ofPartials(
                        db.name(), e.getKey(), e.getValue().build().toByteArray(), points, cells));
            }
            return Decoded.of(out, 0);
        }

        private static String outOfRange(String format, DatabaseConfig db, int shard) {
            return "shard out of range [format=" + format + ", db=" + db.name() + ", shard=" + shard
                    + "]: the database has " + db.shards() + " shards";
        }
    }
}
