package io.meridian.ingest;

import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.lineprotocol.LineProtocolException;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.connector.flink.ShardBatch;
import io.meridian.connector.kafka.IngestRecord;
import io.meridian.connector.kafka.IngestRecordCodec;
import io.meridian.connector.kafka.IngestRecordException;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates ingest-topic records into per-shard batches: {@code lp} text is parsed once and cut per
 * shard by the series hash over the database's shard count (the same {@link LineBatcher} as the broker's HTTP
 * writes); {@code pb1} batches are already per shard. Every batch of either kind is then checked against
 * {@link BatchRules}, the rules the storage node applies (the tag limit aside: the job does not know the nodes'
 * setting), so one bad record cannot fail a whole staged transaction. Every record that cannot be written goes,
 * whole, to the {@link #DEAD_LETTERS} side output with the reason, and the job goes on: a missing or bad header,
 * broken line protocol, an unknown database, a shard out of range, a broken batch rule (e.g. a time outside the
 * database's write window).
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
    private transient LineBatcher lines;
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
        lines = new LineBatcher();
        waitedFor = new HashMap<>();
        deadLetters = getRuntimeContext().getMetricGroup().counter("meridianDeadLetters");
        points = getRuntimeContext().getMetricGroup().counter("meridianPointsDecoded");
        stringFieldsSkipped = getRuntimeContext().getMetricGroup().counter("meridianStringFieldsSkipped");
    }

    @Override
    public void processElement(KafkaIngestRecord raw, Context ctx, Collector<ShardBatch> out) {
        IngestRecord record;
        try {
            record = IngestRecordCodec.decode(raw.toConsumerRecord());
        } catch (IngestRecordException e) {
            dead(ctx, raw, e.getMessage());
            return;
        }
        DatabaseConfig db = database(record.database());
        if (db == null) {
            dead(ctx, raw, "unknown database [header=db, db=" + record.database() + "]: create it first");
            return;
        }
        long now = System.currentTimeMillis();
        Map<Integer, PointBatch> batches;
        boolean fromLines = record instanceof IngestRecord.Lines;
        if (record instanceof IngestRecord.Lines l) {
            try {
                ShardBatches cut =
                        lines.batch(db.name(), db.shards(), l.text(), 0, l.text().length, l.precision(), now);
                batches = cut.batches();
                stringFieldsSkipped.inc(cut.skipped().stringFields());
            } catch (LineProtocolException e) {
                dead(ctx, raw, "bad line protocol [format=lp]: " + e.getMessage());
                return;
            }
        } else {
            IngestRecord.Batch b = (IngestRecord.Batch) record;
            if (b.shard() >= db.shards()) {
                dead(
                        ctx,
                        raw,
                        "shard out of range [format=pb1, db=" + db.name() + ", shard=" + b.shard()
                                + "]: the database has " + db.shards() + " shards");
                return;
            }
            batches = Map.of(b.shard(), b.batch());
        }
        BatchRules.Limits limits =
                BatchRules.Limits.window(now, db.intervals().get(0).retention(), config.futureTolerance());
        ShardBatch[] checked = new ShardBatch[batches.size()];
        int i = 0;
        try {
            for (Map.Entry<Integer, PointBatch> e : batches.entrySet()) {
                long n = BatchRules.check(e.getValue(), limits);
                // a pb1 record's value is that batch already serialized: passed on as it came, not re-encoded
                byte[] bytes = fromLines ? e.getValue().toByteArray() : raw.value;
                checked[i++] = new ShardBatch(db.name(), e.getKey(), bytes, n);
            }
        } catch (BatchRules.Violation e) {
            dead(ctx, raw, e.getMessage());
            return;
        }
        for (ShardBatch b : checked) { // the whole record or nothing of it
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

    private void dead(Context ctx, KafkaIngestRecord raw, String reason) {
        deadLetters.inc();
        ctx.output(DEAD_LETTERS, new DeadLetter(raw, reason));
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
}
