package io.meridian.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.ingest.SeriesRowsBuilder;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.HistogramBuckets;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.connector.flink.ShardBatch;
import io.meridian.connector.kafka.IngestRecordCodec;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.WriteConcern;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The decode step ({@link IngestDecoder.Decoding}) without Flink or etcd: records in, shard batches or a dead-letter
 * reason out. Mostly format {@code pa1} (partial aggregates): keyed and unkeyed, and every reason such a record is
 * dead-lettered whole (docs/design/stream-downsampling.md §7).
 */
class IngestDecoderTest {
    /** 2026-01-01T00:00:00Z: the first slot. */
    private static final long T = 1_767_225_600_000L;
    /** The database's base interval, the slot width. */
    private static final long SLOT_MS = 10_000;
    /** The write window's "now": a minute after the first slot. */
    private static final long NOW = T + 60_000;

    private static final int SHARDS = 4;
    private static final DatabaseConfig WEB = new DatabaseConfig(
            "web",
            SHARDS,
            1,
            WriteConcern.LEADER,
            List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("5m", "180d")),
            List.of("c1"));

    private final IngestDecoder.Decoding decoding =
            new IngestDecoder.Decoding(Duration.ofMinutes(10), name -> name.equals("web") ? WEB : null);

    /** {@code http,host=<host>}: requests (sum) and latency (histogram), two slots, a hole; 7 points in 3 cells. */
    private static SeriesPartials series(String host) {
        return SeriesPartialsCodec.encode(
                SeriesKey.of("http", "host", host),
                List.of("requests", "latency"),
                List.of(FieldType.SUM, FieldType.HISTOGRAM),
                SLOT_MS,
                new long[] {T, T + SLOT_MS},
                new AggState[] {
                    AggState.of(T + 1_000, 2).add(T + 4_000, 3).add(T + 9_000, 5),
                    AggState.empty()
                            .observe(T + 1_000, 0.5)
                            .observe(T + 4_000, 12)
                            .observe(T + 9_000, 300),
                    null,
                    AggState.empty().observe(T + 10_500, 42)
                });
    }

    private static PointBatch partials(SeriesPartials... series) {
        return PointBatch.newBuilder().addAllPartials(List.of(series)).build();
    }

    private static int shardOf(String host) {
        return SeriesHash.shardOf(SeriesKey.of("http", "host", host).canonicalBytes(), SHARDS);
    }

    private static KafkaIngestRecord record(byte[] key, byte[] value, String... headers) {
        KafkaIngestRecord r = new KafkaIngestRecord();
        r.topic = "meridian.ingest";
        r.partition = 2;
        r.offset = 41;
        r.key = key;
        r.value = value;
        r.headers = new HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            r.headers.put(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    private static KafkaIngestRecord pa1(int shard, PointBatch batch) {
        return record(IngestRecordCodec.shardKey(shard), batch.toByteArray(), "db", "web", "format", "pa1");
    }

    private static KafkaIngestRecord pa1Unkeyed(PointBatch batch) {
        return record(null, batch.toByteArray(), "db", "web", "format", "pa1");
    }

    private String deadReason(KafkaIngestRecord r) {
        IngestDecoder.Decoded d = decoding.decode(r, NOW);
        assertThat(d.batches()).as("nothing of a dead record is emitted").isEmpty();
        assertThat(d.deadReason()).isNotNull();
        return d.deadReason();
    }

    @Test
    void keyedPa1IsCheckedAndPassedOnAsItCame() {
        KafkaIngestRecord r = pa1(3, partials(series("a")));
        IngestDecoder.Decoded d = decoding.decode(r, NOW);
        assertThat(d.deadReason()).isNull();
        assertThat(d.batches()).hasSize(1);
        ShardBatch b = d.batches().get(0);
        assertThat(b.database).isEqualTo("web");
        assertThat(b.shard).isEqualTo(3);
        assertThat(b.partials).isTrue();
        assertThat(b.points).isEqualTo(7);
        assertThat(b.cells).isEqualTo(3);
        assertThat(b.batch).as("the record's bytes, not re-encoded").isSameAs(r.value);
    }

    @Test
    void unkeyedPa1IsCutPerShardByTheSeriesHash() throws Exception {
        List<String> hosts = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        Map<Integer, List<String>> expected = new HashMap<>();
        for (String h : hosts) {
            expected.computeIfAbsent(shardOf(h), s -> new ArrayList<>()).add(h);
        }
        assertThat(expected).as("the test spreads over several shards").hasSizeGreaterThan(1);
        PointBatch whole =
                partials(hosts.stream().map(IngestDecoderTest::series).toArray(SeriesPartials[]::new));

        IngestDecoder.Decoded d = decoding.decode(pa1Unkeyed(whole), NOW);
        assertThat(d.deadReason()).isNull();
        assertThat(d.batches()).hasSize(expected.size());
        long points = 0;
        long cells = 0;
        for (ShardBatch b : d.batches()) {
            assertThat(b.partials).isTrue();
            assertThat(b.database).isEqualTo("web");
            PointBatch batch = PointBatch.parseFrom(b.batch);
            assertThat(batch.getSeriesCount()).isZero();
            List<String> got = batch.getPartialsList().stream()
                    .map(s -> s.getTags(0).getValue())
                    .toList();
            assertThat(got).as("shard " + b.shard).containsExactlyElementsOf(expected.get(b.shard));
            assertThat(new PartialRules.Totals(b.points, b.cells))
                    .isEqualTo(PartialRules.check(batch, SLOT_MS))
                    .isEqualTo(new PartialRules.Totals(7L * got.size(), 3L * got.size()));
            points += b.points;
            cells += b.cells;
        }
        assertThat(new PartialRules.Totals(points, cells)).isEqualTo(PartialRules.check(whole, SLOT_MS));
    }

    @Test
    void unkeyedPa1OfOneShardKeepsTheRecordsBytes() {
        KafkaIngestRecord r = pa1Unkeyed(partials(series("a")));
        IngestDecoder.Decoded d = decoding.decode(r, NOW);
        assertThat(d.deadReason()).isNull();
        assertThat(d.batches()).singleElement().satisfies(b -> {
            assertThat(b.shard).isEqualTo(shardOf("a"));
            assertThat(b.batch).isSameAs(r.value);
            assertThat(b.points).isEqualTo(7);
            assertThat(b.cells).isEqualTo(3);
        });
    }

    @Test
    void pa1DeadLettersOfTheRecordItself() {
        String at = "cannot decode ingest record [topic=meridian.ingest, partition=2, offset=41]: ";
        byte[] rows = PointBatch.newBuilder()
                .addSeries(SeriesRows.newBuilder()
                        .setMetric("cpu")
                        .addFields("usage")
                        .addTimestampDeltas(T)
                        .addValues(1))
                .build()
                .toByteArray();
        byte[] good = partials(series("a")).toByteArray();
        assertThat(deadReason(record(IngestRecordCodec.shardKey(1), rows, "db", "web", "format", "pa1")))
                .startsWith(at + "rows in a pa1 record [format=pa1]");
        assertThat(deadReason(record(IngestRecordCodec.shardKey(1), good, "db", "web", "format", "pb1")))
                .startsWith(at + "partials in a pb1 record [format=pb1]: use format pa1");
        assertThat(deadReason(record(null, new byte[] {(byte) 0xff, 1, 2}, "db", "web", "format", "pa1")))
                .startsWith(at + "unparsable PointBatch [format=pa1, bytes=3]");
        assertThat(deadReason(record(new byte[] {0, 0, 1}, good, "db", "web", "format", "pa1")))
                .startsWith(at + "bad key length [format=pa1]: got 3 bytes");
        assertThat(deadReason(record(null, good, "db", "web", "format", "pa1", "precision", "s")))
                .startsWith(at + "precision not allowed [header=precision, format=pa1]");
        assertThat(deadReason(record(null, good, "db", "shop", "format", "pa1")))
                .isEqualTo("unknown database [header=db, db=shop]: create it first");
        assertThat(deadReason(pa1(SHARDS, partials(series("a")))))
                .isEqualTo("shard out of range [format=pa1, db=web, shard=4]: the database has 4 shards");
    }

    /** One case per rule a pa1 batch can break in the job (PARTIAL_TYPE needs the schema: storage checks it). */
    @TestFactory
    Stream<DynamicTest> eachBrokenRuleDeadLettersTheWholeRecordWithTheRulesMessage() {
        record Case(String name, BatchRules.Rule rule, long now, PointBatch batch) {}
        SeriesPartials a = series("a");
        List<Case> cases = List.of(
                new Case("empty value", BatchRules.Rule.EMPTY_BATCH, NOW, PointBatch.getDefaultInstance()),
                new Case(
                        "bad metric name",
                        BatchRules.Rule.METRIC_NAME,
                        NOW,
                        partials(a.toBuilder().setMetric("1http").build())),
                new Case(
                        "cells != slots x fields",
                        BatchRules.Rule.CELL_COUNT,
                        NOW,
                        partials(a.toBuilder().removeCells(3).build())),
                new Case(
                        "interval_ms does not divide the base",
                        BatchRules.Rule.PARTIAL_SLOT,
                        NOW,
                        partials(a.toBuilder().setIntervalMs(7_000).build())),
                new Case(
                        "a point outside its slot",
                        BatchRules.Rule.PARTIAL_SLOT,
                        NOW,
                        partials(cell(
                                a, 0, c -> c.toBuilder().setLastTs(T + SLOT_MS).build()))),
                new Case(
                        "m2 set",
                        BatchRules.Rule.PARTIAL_MOMENTS,
                        NOW,
                        partials(cell(a, 0, c -> c.toBuilder().setM2(1).build()))),
                new Case(
                        "a slot without points",
                        BatchRules.Rule.PARTIAL_COUNT,
                        NOW,
                        partials(cell(a, 3, c -> PartialAgg.getDefaultInstance()))),
                new Case(
                        "count 0 with components",
                        BatchRules.Rule.PARTIAL_COUNT,
                        NOW,
                        partials(cell(a, 2, c -> c.toBuilder().setSum(1).build()))),
                new Case(
                        "NaN sum",
                        BatchRules.Rule.PARTIAL_NOT_FINITE,
                        NOW,
                        partials(
                                cell(a, 0, c -> c.toBuilder().setSum(Double.NaN).build()))),
                new Case(
                        "min > max",
                        BatchRules.Rule.PARTIAL_RANGE,
                        NOW,
                        partials(cell(a, 0, c -> c.toBuilder().setMin(6).build()))),
                new Case(
                        "first_ts > last_ts",
                        BatchRules.Rule.PARTIAL_TIMES,
                        NOW,
                        partials(cell(
                                a,
                                0,
                                c -> c.toBuilder().setFirstTs(c.getLastTs() + 1).build()))),
                new Case(
                        "count 1, components differ",
                        BatchRules.Rule.PARTIAL_SINGLE,
                        NOW,
                        partials(cell(a, 3, c -> c.toBuilder().setSum(43).build()))),
                new Case(
                        "histogram field without buckets",
                        BatchRules.Rule.PARTIAL_HISTOGRAM,
                        NOW,
                        partials(cell(a, 1, c -> c.toBuilder().clearHistogram().build()))),
                new Case(
                        "buckets on a sum field",
                        BatchRules.Rule.PARTIAL_HISTOGRAM,
                        NOW,
                        partials(cell(
                                a,
                                0,
                                c -> c.toBuilder()
                                        .setHistogram(HistogramBuckets.newBuilder()
                                                .addIndexes(250)
                                                .addCounts(3))
                                        .build()))),
                new Case(
                        "older than the retention",
                        BatchRules.Rule.WINDOW,
                        T + Duration.ofDays(31).toMillis(),
                        partials(a)),
                new Case(
                        "a bad series after a good one of another shard",
                        BatchRules.Rule.PARTIAL_RANGE,
                        NOW,
                        partials(
                                series(otherShardHost()),
                                cell(a, 0, c -> c.toBuilder().setMin(6).build()))));
        return cases.stream()
                .flatMap(c -> Stream.of(true, false)
                        .map(keyed -> DynamicTest.dynamicTest(c.name() + (keyed ? ", keyed" : ", unkeyed"), () -> {
                            BatchRules.Limits limits =
                                    BatchRules.Limits.window(c.now(), Duration.ofDays(30), Duration.ofMinutes(10));
                            BatchRules.Violation v = catchThrowableOfType(
                                    BatchRules.Violation.class, () -> PartialRules.check(c.batch(), SLOT_MS, limits));
                            assertThat(v).as("the case breaks a rule").isNotNull();
                            assertThat(v.rule()).isEqualTo(c.rule());
                            KafkaIngestRecord r = keyed ? pa1(shardOf("a"), c.batch()) : pa1Unkeyed(c.batch());
                            IngestDecoder.Decoded d = decoding.decode(r, c.now());
                            assertThat(d.batches())
                                    .as("the whole record or nothing")
                                    .isEmpty();
                            assertThat(d.deadReason()).isEqualTo(v.getMessage());
                        })));
    }

    @Test
    void rowsStillDecodeAsBefore() {
        PointBatch rows = PointBatch.newBuilder()
                .addSeries(SeriesRows.newBuilder()
                        .setMetric("cpu")
                        .addFields("usage")
                        .addTimestampDeltas(T)
                        .addValues(1))
                .build();
        KafkaIngestRecord pb1 = record(IngestRecordCodec.shardKey(2), rows.toByteArray(), "db", "web", "format", "pb1");
        IngestDecoder.Decoded d = decoding.decode(pb1, NOW);
        assertThat(d.deadReason()).isNull();
        assertThat(d.batches()).singleElement().satisfies(b -> {
            assertThat(b.shard).isEqualTo(2);
            assertThat(b.partials).isFalse();
            assertThat(b.points).isEqualTo(1);
            assertThat(b.batch).isSameAs(pb1.value);
        });
        assertThat(deadReason(record(IngestRecordCodec.shardKey(9), rows.toByteArray(), "db", "web", "format", "pb1")))
                .isEqualTo("shard out of range [format=pb1, db=web, shard=9]: the database has 4 shards");

        byte[] text =
                ("cpu,host=a usage=1,state=\"up\" " + T + "\ncpu,host=b usage=2 " + T).getBytes(StandardCharsets.UTF_8);
        IngestDecoder.Decoded lp = decoding.decode(record(null, text, "db", "web", "precision", "ms"), NOW);
        assertThat(lp.deadReason()).isNull();
        assertThat(lp.stringFieldsSkipped()).isEqualTo(1);
        assertThat(lp.batches()).allSatisfy(b -> assertThat(b.partials).isFalse());
        assertThat(lp.batches().stream().mapToLong(b -> b.points).sum()).isEqualTo(2);
        assertThat(deadReason(record(null, "cpu usage=".getBytes(StandardCharsets.UTF_8), "db", "web")))
                .startsWith("bad line protocol [format=lp]: ");
    }

    /**
     * Rows that name their series by its canonical key (storage.proto revision 10: the broker's remote write in Kafka
     * mode) are checked by their key's names and passed on as they came; a malformed key dead-letters the record.
     */
    @Test
    void rowsByTheirSeriesKeyAreCheckedAndPassedOn() {
        PointBatch keyed = rowsByKey(
                SeriesKey.of("up", "instance", "h:9100", "job", "node").canonicalBytes());
        KafkaIngestRecord pb1 =
                record(IngestRecordCodec.shardKey(1), keyed.toByteArray(), "db", "web", "format", "pb1");
        IngestDecoder.Decoded d = decoding.decode(pb1, NOW);
        assertThat(d.deadReason()).isNull();
        assertThat(d.batches()).singleElement().satisfies(b -> {
            assertThat(b.shard).isEqualTo(1);
            assertThat(b.points).isEqualTo(1);
            assertThat(b.batch).isSameAs(pb1.value);
        });

        PointBatch badName = rowsByKey("up\0in stance\0h".getBytes(StandardCharsets.UTF_8));
        assertThat(deadReason(
                        record(IngestRecordCodec.shardKey(1), badName.toByteArray(), "db", "web", "format", "pb1")))
                .contains("invalid tag name [tag=in stance]");
        PointBatch malformed = rowsByKey("up\0job".getBytes(StandardCharsets.UTF_8));
        assertThat(deadReason(
                        record(IngestRecordCodec.shardKey(1), malformed.toByteArray(), "db", "web", "format", "pb1")))
                .contains("malformed series key [key=up,job]");
    }

    /** One point of the series with these canonical key bytes. */
    private static PointBatch rowsByKey(byte[] canonicalKey) {
        SeriesRowsBuilder rows = SeriesRowsBuilder.byKey(canonicalKey, List.of("value"));
        rows.row(T);
        rows.value(1);
        return PointBatch.newBuilder().addSeries(rows.build()).build();
    }

    /** A host whose series is not on {@code host=a}'s shard. */
    private static String otherShardHost() {
        for (char c = 'b'; c <= 'z'; c++) {
            if (shardOf(String.valueOf(c)) != shardOf("a")) {
                return String.valueOf(c);
            }
        }
        throw new AssertionError("every host on one shard");
    }

    /** The series with cell {@code i} replaced. */
    private static SeriesPartials cell(SeriesPartials s, int i, UnaryOperator<PartialAgg> change) {
        return s.toBuilder().setCells(i, change.apply(s.getCells(i))).build();
    }
}
