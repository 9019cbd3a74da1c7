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
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.testing.LocalStorageCluster;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * and a storage node. Points produced to the ingest topic (ten per series and field per 10 s slot: the job folds
 * them into partial aggregates) come out of leaf queries with exactly the counts, sums, minima, maxima, last values
 * and, for the histogram field, bucket counts and percentiles computed from the raw points, per 10 s (base) and
 * 5 min (rollup) bucket, from the memtable and again from the flushed files; partial records ({@code pa1}) merge
 * with points of the same slot; bad records land in the dead-letter topic with their reasons while the good
 * records of the same Kafka batch are written.
 */
@ExtendWith(EtcdExtension.class)
class IngestJobIT {
    private static final long HOUR = 3_600_000L;
    private static final long T0 = (System.currentTimeMillis() / HOUR - 2) * HOUR;
    private static final int SHARDS = 4;
    private static final int HOSTS = 100;
    private static final int ROWS = 5_000; // per host, one per second: 100 x 5,000 rows x 2 fields = 1,000,000 points

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

    private static double requests(int host, int row) {
        return (host + row) % 10;
    }

    private static double cpu(int host, int row) {
        return ((host * 7 + row * 3) % 100) / 4.0;
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

    /** The sum of a storage counter of database {@code metrics} over every node and shard. */
    private static double storageCounter(LocalStorageCluster c, String name) {
        double sum = 0;
        for (StorageNode n : c.nodes) {
            sum += n.registry().meters().find(name).tag("db", "metrics").counters().stream()
                    .mapToDouble(Counter::count)
                    .sum();
        }
        return sum;
    }

    /** Expected per-bucket states over every host, from the raw points. */
    private static Map<Long, AggState> expected(long bucketMs, boolean cpuField) {
        Map<Long, AggState> out = new HashMap<>();
        for (int row = 0; row < ROWS; row++) {
            long ts = T0 + row * 1000L;
            AggState s = out.computeIfAbsent(ts - Math.floorMod(ts, bucketMs), k -> AggState.empty());
            for (int h = 0; h < HOSTS; h++) {
                if (cpuField) {
                    s.observe(ts, cpu(h, row)); // cpu is declared a histogram: percentiles from its buckets
                } else {
                    s.add(ts, requests(h, row));
                }
            }
        }
        return out;
    }

    private static void assertBuckets(LocalStorageCluster c, long bucketMs, String what) {
        for (String field : List.of("requests", "cpu")) {
            Map<Long, AggState> want = expected(bucketMs, field.equals("cpu"));
            PartialTable r = c.leafQuery(
                    "metrics",
                    SHARDS,
                    new LeafQuery(
                            "host_stats", TagPredicate.all(), T0, T0 + 2 * HOUR, bucketMs, List.of(), List.of(field)));
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
                    assertThat(got.histogram()).as(at + " histogram buckets").isEqualTo(w.histogram());
                    assertThat(got.histogram().quantile(0.99, got.min(), got.max()))
                            .as(at + " p99")
                            .isEqualTo(w.histogram().quantile(0.99, w.min(), w.max()));
                }
            }
            assertThat(seen).as(what + " " + field + " buckets").isEqualTo(want.size());
        }
        // per host, where "last" has one answer: every aggregate of every bucket, the last value included
        PartialTable byHost = c.leafQuery(
                "metrics",
                SHARDS,
                new LeafQuery(
                        "host_stats",
                        TagPredicate.all(),
                        T0,
                        T0 + 2 * HOUR,
                        bucketMs,
                        List.of("host"),
                        List.of("requests", "cpu")));
        for (int h = 0; h < HOSTS; h++) {
            Map<Long, AggState[]> want = new HashMap<>();
            for (int row = 0; row < ROWS; row++) {
                long ts = T0 + row * 1000L;
                AggState[] w = want.computeIfAbsent(
                        ts - Math.floorMod(ts, bucketMs), k -> new AggState[] {AggState.empty(), AggState.empty()});
                w[0].add(ts, requests(h, row));
                w[1].add(ts, cpu(h, row));
            }
            for (int b = 0; b < byHost.buckets(); b++) {
                AggState[] w = want.get(byHost.bucketStart(b));
                for (int f = 0; f < 2; f++) {
                    AggState got = byHost.cell(List.of("h" + h), b, f);
                    String at = what + " host h" + h + " field " + f + " bucket " + byHost.bucketStart(b);
                    if (w == null) {
                        assertThat(got == null || got.isEmpty()).as(at).isTrue();
                        continue;
                    }
                    assertThat(got).as(at).isNotNull();
                    assertThat(new double[] {got.count(), got.sum(), got.min(), got.max(), got.last(), got.first()})
                            .as(at + ": count, sum, min, max, last, first")
                            .containsExactly(
                                    w[f].count(), w[f].sum(), w[f].min(), w[f].max(), w[f].last(), w[f].first());
                }
            }
        }
    }

    @Test
    void aMillionPointsArriveExactlyAtTheBaseAndTheRollupInterval(EtcdProcess etcd) throws Exception {
        String topic = "ingest-1m";
        kafka.createTopic(topic, SHARDS);
        kafka.createTopic(topic + ".dlq", 1);
        try (LocalStorageCluster c = cluster(etcd, dir, "/ingest-1m");
                MeridianKafkaProducer producer = new MeridianKafkaProducer(kafka.bootstrapServers(), topic)) {
            c.declareField("metrics", SHARDS, "host_stats", "requests", WireEnums.toWire(FieldType.SUM));
            c.declareField("metrics", SHARDS, "host_stats", "cpu", WireEnums.toWire(FieldType.HISTOGRAM));
            // one record = 10 seconds of every host (1,000 lines, 2,000 points)
            for (int row0 = 0; row0 < ROWS; row0 += 10) {
                StringBuilder sb = new StringBuilder(64 * 1000);
                for (int row = row0; row < row0 + 10; row++) {
                    for (int h = 0; h < HOSTS; h++) {
                        sb.append("host_stats,host=h")
                                .append(h)
                                .append(",dc=")
                                .append(h % 3 == 0 ? "east" : "west")
                                .append(" requests=")
                                .append(requests(h, row))
                                .append(",cpu=")
                                .append(cpu(h, row))
                                .append(' ')
                                .append(T0 + row * 1000L)
                                .append('\n');
                    }
                }
                producer.send("metrics", sb.toString(), Precision.MILLISECONDS);
            }
            producer.flush();
            run(config(c, topic));

            AggState total = c.total("metrics", SHARDS, "host_stats", "requests", T0, T0 + 2 * HOUR);
            AggState cpu = c.total("metrics", SHARDS, "host_stats", "cpu", T0, T0 + 2 * HOUR);
            assertThat(total.count() + cpu.count()).as("points").isEqualTo(1_000_000);
            // ten points per (host, field) per 10 s slot: the job's pre-aggregation stores one cell for them
            double points = storageCounter(c, "meridian.storage.points.written");
            double cells = storageCounter(c, "meridian.storage.cells.written");
            assertThat(points).as("points the storage node counted").isEqualTo(1_000_000);
            assertThat(cells).as("values stored: one cell per dense slot").isLessThanOrEqualTo(points / 8);
            assertBuckets(c, 10_000, "memtable, base");
            assertBuckets(c, 300_000, "memtable, rollup");
            c.flushAll();
            assertBuckets(c, 10_000, "files, base");
            assertBuckets(c, 300_000, "files, rollup");
            try (KafkaConsumer<byte[], byte[]> dlq = kafka.consumer()) {
                dlq.assign(List.of(new TopicPartition(topic + ".dlq", 0)));
                assertThat(dlq.poll(Duration.ofMillis(500)).count())
                        .as("no dead letters")
                        .isZero();
            }
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
