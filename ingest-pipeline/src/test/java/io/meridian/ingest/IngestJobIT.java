package io.meridian.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.AggStateCodec;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.connector.kafka.IngestRecordCodec;
import io.meridian.connector.kafka.IngestTopic;
import io.meridian.connector.kafka.MeridianKafkaProducer;
import io.meridian.connector.kafka.embedded.EmbeddedKafka;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.testing.LocalStorageCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiPredicate;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest job end to end on a Flink MiniCluster: a real KRaft Kafka broker in this JVM, real etcd, the master
 * and a storage node. A dense source (1,000 series, ten points per series and field per 10 s slot, for 30 minutes:
 * the job folds them into partial aggregates) comes out of leaf queries with exactly the counts, sums, minima,
 * maxima, first and last values with their times and, for the histogram field, bucket counts and percentiles
 * computed from the raw points, per 10 s (base) and 5 min (rollup) bucket, from the memtable and again from the
 * flushed files; the same holds when the points come shuffled, a tenth of them after the rest was flushed, and some
 * slots are fed half by a direct write; partial records ({@code pa1}) merge with points of the same slot; bad
 * records land in the dead-letter topic with their reasons while the good records of the same Kafka batch are
 * written.
 */
@ExtendWith(EtcdExtension.class)
class IngestJobIT {
    private static final long HOUR = 3_600_000L;
    private static final long T0 = (System.currentTimeMillis() / HOUR - 2) * HOUR;
    private static final int SHARDS = 4;
    private static final List<String> FIELDS = List.of("requests", "cpu", "temp");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    private static LocalStorageCluster cluster(EtcdProcess etcd, Path dir, String root) {
        return new LocalStorageCluster(
                etcd,
                dir,
                root,
                1,
                new DatabaseConfig(
                        "metrics",
                        SHARDS,
                        1,
                        WriteConcern.LEADER,
                        List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("5m", "180d")),
                        List.of("c1")));
    }

    private static IngestJobConfig config(LocalStorageCluster c, String topic) {
        return IngestTestJobs.config(c, kafka, topic, Duration.ofMillis(200), 10000);
    }

    private static void run(IngestJobConfig config) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(IngestJob.flinkConfiguration(config));
        IngestJob.build(env, config);
        env.execute("ingest-it");
    }

    /**
     * A dense source: every host reports every field once a second, so each (host, field) has ten points per 10 s
     * slot. {@code requests} is a counter bumped per event ({@code sum}), {@code cpu} a histogram, {@code temp} a
     * gauge with negative values.
     */
    record Dense(int hosts, int rows) {
        long ts(int row) {
            return T0 + row * 1000L;
        }

        static double value(String field, int host, int row) {
            return switch (field) {
                case "requests" -> (host + row) % 10;
                case "cpu" -> ((host * 7 + row * 3) % 100) / 4.0;
                case "temp" -> ((host * 13 + row * 11) % 50) - 10.5;
                default -> throw new IllegalArgumentException(field);
            };
        }

        long points() {
            return (long) hosts * rows * FIELDS.size();
        }

        void appendLine(StringBuilder sb, int host, int row) {
            sb.append("host_stats,host=h").append(host).append(",dc=").append(host % 3 == 0 ? "east" : "west");
            char sep = ' ';
            for (String f : FIELDS) {
                sb.append(sep).append(f).append('=').append(value(f, host, row));
                sep = ',';
            }
            sb.append(' ').append(ts(row)).append('\n');
        }

        void declareFields(LocalStorageCluster c) {
            c.declareField("metrics", SHARDS, "host_stats", "requests", WireEnums.toWire(FieldType.SUM));
            c.declareField("metrics", SHARDS, "host_stats", "cpu", WireEnums.toWire(FieldType.HISTOGRAM));
            c.declareField("metrics", SHARDS, "host_stats", "temp", WireEnums.toWire(FieldType.GAUGE));
        }

        /** Expected per-bucket states of {@code field} over every host, from the raw points. */
        Map<Long, AggState> expected(long bucketMs, String field) {
            Map<Long, AggState> out = new HashMap<>();
            for (int row = 0; row < rows; row++) {
                long ts = ts(row);
                AggState s = out.computeIfAbsent(ts - Math.floorMod(ts, bucketMs), k -> AggState.empty());
                for (int h = 0; h < hosts; h++) {
                    if (field.equals("cpu")) {
                        s.observe(ts, value(field, h, row)); // a histogram: percentiles from its buckets
                    } else {
                        s.add(ts, value(field, h, row));
                    }
                }
            }
            return out;
        }

        /**
         * Every aggregate of every bucket of width {@code bucketMs}, over all hosts and per host, equals the one
         * computed from the raw points.
         */
        void assertBuckets(LocalStorageCluster c, long bucketMs, String what) {
            for (String field : FIELDS) {
                Map<Long, AggState> want = expected(bucketMs, field);
                PartialTable r = c.leafQuery(
                        "metrics",
                        SHARDS,
                        new LeafQuery(
                                "host_stats",
                                TagPredicate.all(),
                                T0,
                                T0 + 2 * HOUR,
                                bucketMs,
                                List.of(),
                                List.of(field)));
                int seen = 0;
                for (int b = 0; b < r.buckets(); b++) {
                    AggState got = r.cell(List.of(), b, 0);
                    AggState w = want.get(r.bucketStart(b));
                    if (w == null) {
                        assertThat(got == null || got.isEmpty())
                                .as("%s %s bucket %d is empty", what, field, b)
                                .isTrue();
                        continue;
                    }
                    seen++;
                    String at = what + " " + field + " bucket " + r.bucketStart(b);
                    assertThat(got).as(at).isNotNull();
                    assertThat(got.count()).as(at + " count").isEqualTo(w.count());
                    assertThat(got.sum()).as(at + " sum").isEqualTo(w.sum());
                    assertThat(got.min()).as(at + " min").isEqualTo(w.min());
                    assertThat(got.max()).as(at + " max").isEqualTo(w.max());
                    assertThat(got.lastTs()).as(at + " last time").isEqualTo(w.lastTs());
                    if (field.equals("cpu")) {
                        assertThat(got.histogram())
                                .as(at + " histogram buckets")
                                .isEqualTo(w.histogram());
                        assertThat(got.histogram().quantile(0.99, got.min(), got.max()))
                                .as(at + " p99")
                                .isEqualTo(w.histogram().quantile(0.99, w.min(), w.max()));
                    }
                }
                assertThat(seen).as(what + " " + field + " buckets").isEqualTo(want.size());
            }
            // per host, where "first" and "last" have one answer: every aggregate of every bucket
            PartialTable byHost = c.leafQuery(
                    "metrics",
                    SHARDS,
                    new LeafQuery(
                            "host_stats", TagPredicate.all(), T0, T0 + 2 * HOUR, bucketMs, List.of("host"), FIELDS));
            for (int h = 0; h < hosts; h++) {
                Map<Long, AggState[]> want = new HashMap<>();
                for (int row = 0; row < rows; row++) {
                    long ts = ts(row);
                    AggState[] w = want.computeIfAbsent(ts - Math.floorMod(ts, bucketMs), k -> {
                        AggState[] states = new AggState[FIELDS.size()];
                        for (int f = 0; f < states.length; f++) {
                            states[f] = AggState.empty();
                        }
                        return states;
                    });
                    for (int f = 0; f < FIELDS.size(); f++) {
                        w[f].add(ts, value(FIELDS.get(f), h, row));
                    }
                }
                for (int b = 0; b < byHost.buckets(); b++) {
                    AggState[] w = want.get(byHost.bucketStart(b));
                    for (int f = 0; f < FIELDS.size(); f++) {
                        AggState got = byHost.cell(List.of("h" + h), b, f);
                        String at = what + " host h" + h + " " + FIELDS.get(f) + " bucket " + byHost.bucketStart(b);
                        if (w == null) {
                            assertThat(got == null || got.isEmpty()).as(at).isTrue();
                            continue;
                        }
                        assertThat(got).as(at).isNotNull();
                        assertThat(new double[] {got.count(), got.sum(), got.min(), got.max(), got.first(), got.last()})
                                .as(at + ": count, sum, min, max, first, last")
                                .containsExactly(
                                        w[f].count(), w[f].sum(), w[f].min(), w[f].max(), w[f].first(), w[f].last());
                        assertThat(new long[] {got.firstTs(), got.lastTs()})
                                .as(at + ": first and last time")
                                .containsExactly(w[f].firstTs(), w[f].lastTs());
                    }
                }
            }
        }
    }

    private static void assertNoDeadLetters(String topic) {
        try (KafkaConsumer<byte[], byte[]> dlq = kafka.consumer()) {
            dlq.assign(List.of(new TopicPartition(topic + ".dlq", 0)));
            dlq.seekToBeginning(dlq.assignment());
            assertThat(dlq.poll(Duration.ofMillis(500)).count())
                    .as("no dead letters")
                    .isZero();
        }
    }

    @Test
    void aDenseSourceArrivesExactlyAtTheBaseAndTheRollupInterval(EtcdProcess etcd) throws Exception {
        String topic = "ingest-dense";
        kafka.createTopic(topic, SHARDS);
        kafka.createTopic(topic + ".dlq", 1);
        Dense data = new Dense(1_000, 1_800); // 1,000 series x 30 min at 1 s x 3 fields = 5.4 M points
        try (LocalStorageCluster c = cluster(etcd, dir, "/ingest-dense");
                MeridianKafkaProducer producer = new MeridianKafkaProducer(kafka.bootstrapServers(), topic)) {
            data.declareFields(c);
            // one record = 10 seconds of every host (10,000 lines, 30,000 points)
            for (int row0 = 0; row0 < data.rows(); row0 += 10) {
                StringBuilder sb = new StringBuilder(100 * 10 * data.hosts());
                for (int row = row0; row < row0 + 10; row++) {
                    for (int h = 0; h < data.hosts(); h++) {
                        data.appendLine(sb, h, row);
                    }
                }
                producer.send("metrics", sb.toString(), Precision.MILLISECONDS);
            }
            producer.flush();
            run(config(c, topic));

            long stored = 0;
            for (String f : FIELDS) {
                stored += c.total("metrics", SHARDS, "host_stats", f, T0, T0 + 2 * HOUR)
                        .count();
            }
            assertThat(stored).as("points").isEqualTo(data.points());
            // ten points per (host, field) per 10 s slot: the job's pre-aggregation stores one cell for them
            double points = c.counter("metrics", "meridian.storage.points.written");
            double cells = c.counter("metrics", "meridian.storage.cells.written");
            assertThat(points).as("points the storage node counted").isEqualTo(data.points());
            assertThat(cells).as("values stored: one cell per dense slot").isLessThanOrEqualTo(points / 8);
            data.assertBuckets(c, 10_000, "memtable, base");
            data.assertBuckets(c, 300_000, "memtable, rollup");
            c.flushAll();
            data.assertBuckets(c, 10_000, "files, base");
            data.assertBuckets(c, 300_000, "files, rollup");
            assertNoDeadLetters(topic);
        }
    }

    /** Lines of {@code data} for the (host, row) pairs {@code which} selects, shuffled, in records of 5,000 lines. */
    private static void produceShuffled(Dense data, String topic, BiPredicate<Integer, Integer> which, Random random)
            throws Exception {
        List<int[]> picked = new ArrayList<>();
        for (int row = 0; row < data.rows(); row++) {
            for (int h = 0; h < data.hosts(); h++) {
                if (which.test(h, row)) {
                    picked.add(new int[] {h, row});
                }
            }
        }
        Collections.shuffle(picked, random);
        try (MeridianKafkaProducer producer = new MeridianKafkaProducer(kafka.bootstrapServers(), topic)) {
            for (int i = 0; i < picked.size(); i += 5_000) {
                StringBuilder sb = new StringBuilder();
                for (int[] p : picked.subList(i, Math.min(picked.size(), i + 5_000))) {
                    data.appendLine(sb, p[0], p[1]);
                }
                producer.send("metrics", sb.toString(), Precision.MILLISECONDS);
            }
            producer.flush();
        }
    }

    @Test
    void shuffledLateAndDirectlyWrittenPointsAddUpExactly(EtcdProcess etcd) throws Exception {
        Dense data = new Dense(200, 600); // 200 series x 10 min at 1 s x 3 fields
        // a few slots fed half by a direct raw write (bypassing Kafka and the job) and half by the job's partials
        BiPredicate<Integer, Integer> direct = (h, row) -> h % 20 == 0 && row >= 60 && row < 120 && row % 10 < 5;
        // a tenth of the points comes after the rest was written and flushed to files
        BiPredicate<Integer, Integer> late = (h, row) -> !direct.test(h, row) && (h * 31 + row * 17) % 10 == 0;
        Random random = new Random(18);
        kafka.createTopic("ingest-shuffled", SHARDS);
        kafka.createTopic("ingest-shuffled.dlq", 1);
        kafka.createTopic("ingest-late", SHARDS);
        kafka.createTopic("ingest-late.dlq", 1);
        try (LocalStorageCluster c = cluster(etcd, dir, "/ingest-shuffled")) {
            data.declareFields(c);
            // out of order across the whole ten minutes: a slot's points span records and checkpoints, so the
            // job emits several partials for it, merged downstream
            produceShuffled(data, "ingest-shuffled", (h, row) -> !direct.test(h, row) && !late.test(h, row), random);
            run(config(c, "ingest-shuffled"));

            StringBuilder lines = new StringBuilder();
            long directPoints = 0;
            for (int row = 0; row < data.rows(); row++) {
                for (int h = 0; h < data.hosts(); h++) {
                    if (direct.test(h, row)) {
                        data.appendLine(lines, h, row);
                        directPoints += FIELDS.size();
                    }
                }
            }
            byte[] body = lines.toString().getBytes(StandardCharsets.UTF_8);
            long applied = 0;
            for (var e : new LineBatcher()
                    .batch("metrics", SHARDS, body, 0, body.length, Precision.MILLISECONDS, T0)
                    .batches()
                    .entrySet()) {
                applied += c.write("metrics", e.getKey(), e.getValue());
            }
            assertThat(applied).as("points written directly").isEqualTo(directPoints);
            c.flushAll();

            // late by far more than the job's latency bound, into slots whose cells are already in files
            produceShuffled(data, "ingest-late", late, random);
            run(config(c, "ingest-late"));

            data.assertBuckets(c, 10_000, "files and memtable, base");
            data.assertBuckets(c, 300_000, "files and memtable, rollup");
            c.flushAll();
            data.assertBuckets(c, 10_000, "files, base");
            data.assertBuckets(c, 300_000, "files, rollup");
            assertNoDeadLetters("ingest-shuffled");
            assertNoDeadLetters("ingest-late");
        }
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWithReasonsAndTheRestArrives(EtcdProcess etcd) throws Exception {
        String topic = "ingest-bad";
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + ".dlq", 1);
        try (LocalStorageCluster c = cluster(etcd, dir, "/ingest-bad")) {
            long now = System.currentTimeMillis();
            byte[] good = ("cpu,host=a value=1 " + now + "\n").getBytes(StandardCharsets.UTF_8);
            var batches = new LineBatcher()
                    .batch(
                            "metrics",
                            SHARDS,
                            ("cpu,host=b value=2 " + now + "\n").getBytes(StandardCharsets.UTF_8),
                            0,
                            ("cpu,host=b value=2 " + now + "\n").length(),
                            Precision.MILLISECONDS,
                            now);
            var goodShard = batches.batches().entrySet().iterator().next();
            PointBatch infinite = PointBatch.newBuilder()
                    .addSeries(SeriesRows.newBuilder()
                            .setMetric("cpu")
                            .addFields("value")
                            .addTimestampDeltas(now)
                            .addValues(Double.POSITIVE_INFINITY))
                    .build();
            Map<String, String> reasons = new HashMap<>();
            List<byte[]> values = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            kafka.bootstrapServers(),
                            ProducerConfig.LINGER_MS_CONFIG,
                            50),
                    new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                // one producer batch (linger) holding good and bad records
                p.send(IngestRecordCodec.encodeLines(topic, "metrics", good, Precision.MILLISECONDS));
                p.send(IngestRecordCodec.encodeLines(
                        topic,
                        "metrics",
                        "cpu,host=a value=\n".getBytes(StandardCharsets.UTF_8),
                        Precision.MILLISECONDS));
                p.send(IngestRecordCodec.encodeLines(topic, "nosuchdb", good, Precision.MILLISECONDS));
                p.send(IngestRecordCodec.encodeLines(
                        topic,
                        "metrics",
                        ("cpu,host=a value=1 " + (now - 40L * 86_400_000) + "\n").getBytes(StandardCharsets.UTF_8),
                        Precision.MILLISECONDS));
                p.send(IngestRecordCodec.encodeBatch(topic, 1, "metrics", goodShard.getKey(), goodShard.getValue()));
                p.send(IngestRecordCodec.encodeBatch(topic, 1, "metrics", 0, infinite));
                p.send(IngestRecordCodec.encodeBatch(topic, 1, "metrics", 9, goodShard.getValue()));
                p.flush();
            }
            run(config(c, topic));
            AggState got = c.total("metrics", SHARDS, "cpu", "value", now - HOUR, now + HOUR);
            assertThat(got.count()).as("the two good records").isEqualTo(2);
            assertThat(got.sum()).isEqualTo(3);
            try (KafkaConsumer<byte[], byte[]> dlq = kafka.consumer()) {
                dlq.assign(List.of(new TopicPartition(topic + ".dlq", 0)));
                dlq.seekToBeginning(dlq.assignment());
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(200))) {
                        reasons.put(
                                new String(
                                        r.headers()
                                                .lastHeader("meridian.dlq.offset")
                                                .value(),
                                        StandardCharsets.UTF_8),
                                new String(
                                        r.headers()
                                                .lastHeader(IngestTopic.HEADER_DLQ_REASON)
                                                .value(),
                                        StandardCharsets.UTF_8));
                        values.add(r.value());
                    }
                    return reasons.size() >= 5;
                });
            }
            assertThat(reasons).hasSize(5);
            assertThat(reasons.get("1"))
                    .startsWith("bad line protocol [format=lp]")
                    .contains("line 1");
            assertThat(reasons.get("2")).startsWith("unknown database [header=db, db=nosuchdb]");
            assertThat(reasons.get("3")).startsWith("timestamp outside the write window");
            assertThat(reasons.get("5")).startsWith("infinite value");
            assertThat(reasons.get("6")).startsWith("shard out of range [format=pb1, db=metrics, shard=9]");
            assertThat(values)
                    .as("the original bytes")
                    .anySatisfy(v -> assertThat(v).isEqualTo(good));
        }
    }

    @Test
    void partialRecordsOnTheTopicMergeExactlyWithPointsOfTheSameSlot(EtcdProcess etcd) throws Exception {
        String topic = "ingest-pa1";
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + ".dlq", 1);
        try (LocalStorageCluster c = cluster(etcd, dir, "/ingest-pa1")) {
            long slot = (System.currentTimeMillis() / 10_000 - 6) * 10_000;
            SeriesKey a = SeriesKey.of("lat", "host", "a");
            SeriesKey b = SeriesKey.of("lat", "host", "b");
            // host a: two points as line protocol, three folded by a producer into a partial of the same slot
            AggState folded = AggState.of(slot + 100, 7).add(slot + 200, 1).add(slot + 9_000, 4);
            AggState all = folded.copy().add(slot + 50, 2).add(slot + 9_999, 5);
            PointBatch ofA = PointBatch.newBuilder()
                    .addPartials(SeriesPartialsCodec.encode(
                            a, List.of("ms"), List.of(FieldType.GAUGE), 10_000, new long[] {slot}, new AggState[] {
                                folded
                            }))
                    .build();
            AggState ofBCell = AggState.of(slot + 1, 10).add(slot + 2, 20);
            PointBatch ofB = PointBatch.newBuilder()
                    .addPartials(SeriesPartialsCodec.encode(
                            b, List.of("ms"), List.of(FieldType.GAUGE), 10_000, new long[] {slot}, new AggState[] {
                                ofBCell
                            }))
                    .build();
            PointBatch bad = PointBatch.newBuilder()
                    .addPartials(SeriesPartialsCodec.encode(
                                    b,
                                    List.of("ms"),
                                    List.of(FieldType.GAUGE),
                                    10_000,
                                    new long[] {slot},
                                    new AggState[] {ofBCell})
                            .toBuilder()
                            .setCells(
                                    0, AggStateCodec.encode(ofBCell).toBuilder().setMin(30)))
                    .build();
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                p.send(IngestRecordCodec.encodeLines(
                        topic,
                        "metrics",
                        ("lat,host=a ms=2 " + (slot + 50) + "\nlat,host=a ms=5 " + (slot + 9_999) + "\n")
                                .getBytes(StandardCharsets.UTF_8),
                        Precision.MILLISECONDS));
                p.send(IngestRecordCodec.encodePartials(
                        topic, 1, "metrics", SeriesHash.shardOf(a.canonicalBytes(), SHARDS), ofA));
                p.send(IngestRecordCodec.encodePartials(topic, "metrics", ofB)); // no key: the job shards it
                p.send(IngestRecordCodec.encodePartials(topic, "metrics", bad));
                p.flush();
            }
            run(config(c, topic));
            PartialTable perHost = c.leafQuery(
                    "metrics",
                    SHARDS,
                    new LeafQuery("lat", TagPredicate.all(), slot, slot + 10_000, 0, List.of("host"), List.of("ms")));
            assertThat(perHost.cell(List.of("a"), 0, 0))
                    .as("points and a partial of one slot")
                    .isEqualTo(all);
            assertThat(perHost.cell(List.of("b"), 0, 0))
                    .as("an unkeyed partial")
                    .isEqualTo(ofBCell);
            try (KafkaConsumer<byte[], byte[]> dlq = kafka.consumer()) {
                dlq.assign(List.of(new TopicPartition(topic + ".dlq", 0)));
                dlq.seekToBeginning(dlq.assignment());
                List<String> reasons = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(200))) {
                        reasons.add(new String(
                                r.headers()
                                        .lastHeader(IngestTopic.HEADER_DLQ_REASON)
                                        .value(),
                                StandardCharsets.UTF_8));
                    }
                    return !reasons.isEmpty();
                });
                assertThat(reasons).singleElement().asString().contains("field=ms", "min=30.0");
            }
        }
    }
}
