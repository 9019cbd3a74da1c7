package io.meridian.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class IngestRecordCodecTest {
    private static final String TOPIC = "meridian.ingest";
    /** Golden files of format pb1 v1; written only by {@link #writeGoldenWhenAsked()} with -Dgolden.write=true. */
    private static final Path GOLDEN = Path.of("src/test/resources/golden/pb1/v1");
    /** Golden files of format pa1 v1; written the same way. */
    private static final Path GOLDEN_PA1 = Path.of("src/test/resources/golden/pa1/v1");
    /** 2026-01-01T00:00:00Z, the first slot of the pa1 golden record. */
    static final long T = 1_767_225_600_000L;
    /** The slot width of the pa1 golden record (the database's base interval). */
    static final long SLOT_MS = 10_000;

    /** The fixed batch of the golden record: two series, one with two fields and a NaN, negative deltas. */
    static PointBatch goldenBatch() {
        return PointBatch.newBuilder()
                .addSeries(SeriesRows.newBuilder()
                        .setMetric("cpu")
                        .addTags(Tag.newBuilder().setKey("host").setValue("h1"))
                        .addTags(Tag.newBuilder().setKey("region").setValue("eu-1"))
                        .addFields("usage")
                        .addFields("idle")
                        .addTimestampDeltas(1_732_530_000_000L)
                        .addTimestampDeltas(10_000)
                        .addTimestampDeltas(-5_000)
                        .addValues(0.5)
                        .addValues(99.5)
                        .addValues(0.75)
                        .addValues(Double.NaN)
                        .addValues(1)
                        .addValues(2))
                .addSeries(SeriesRows.newBuilder()
                        .setMetric("mem")
                        .addFields("used")
                        .addTimestampDeltas(1_732_530_000_000L)
                        .addValues(1 << 30))
                .build();
    }

    /**
     * The fixed batch of the pa1 golden record: series {@code http,host=a}, fields {@code requests} (sum) and
     * {@code latency} (histogram), two 10 s slots; the second slot has no requests (a hole) and one latency point.
     */
    static PointBatch goldenPartials() {
        return PointBatch.newBuilder()
                .addPartials(SeriesPartialsCodec.encode(
                        SeriesKey.of("http", "host", "a"),
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
                            null, // a hole: no requests in the second slot
                            AggState.empty().observe(T + 10_500, 42)
                        }))
                .build();
    }

    private static ConsumerRecord<byte[], byte[]> consumed(
            ProducerRecord<byte[], byte[]> r, int partition, long offset) {
        RecordHeaders headers = new RecordHeaders();
        r.headers().forEach(headers::add);
        return new ConsumerRecord<>(
                r.topic(),
                partition,
                offset,
                0L,
                TimestampType.CREATE_TIME,
                r.key() == null ? -1 : r.key().length,
                r.value() == null ? -1 : r.value().length,
                r.key(),
                r.value(),
                headers,
                Optional.empty());
    }

    private static ConsumerRecord<byte[], byte[]> raw(byte[] key, byte[] value, Header... headers) {
        return new ConsumerRecord<>(
                TOPIC,
                2,
                41L,
                0L,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                key,
                value,
                new RecordHeaders(headers),
                Optional.empty());
    }

    private static Header h(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void batchRecordGoesToShardModPartitionsWithKeyAndHeaders() {
        ProducerRecord<byte[], byte[]> r = IngestRecordCodec.encodeBatch(TOPIC, 4, "web", 7, goldenBatch());
        assertThat(r.topic()).isEqualTo(TOPIC);
        assertThat(r.partition()).isEqualTo(3);
        assertThat(r.key()).containsExactly(0, 0, 0, 7);
        assertThat(r.headers().lastHeader("db").value()).isEqualTo("web".getBytes(StandardCharsets.UTF_8));
        assertThat(r.headers().lastHeader("format").value()).isEqualTo("pb1".getBytes(StandardCharsets.UTF_8));
        assertThat(r.headers().toArray()).hasSize(2);

        IngestRecord decoded = IngestRecordCodec.decode(consumed(r, 3, 12));
        assertThat(decoded).isInstanceOf(IngestRecord.Batch.class);
        IngestRecord.Batch b = (IngestRecord.Batch) decoded;
        assertThat(b.database()).isEqualTo("web");
        assertThat(b.shard()).isEqualTo(7);
        assertThat(b.format()).isEqualTo(IngestFormat.POINT_BATCH_V1);
        assertThat(b.batch()).isEqualTo(goldenBatch());
        assertThat(b.source()).isEqualTo(new IngestRecord.Source(TOPIC, 3, 12));
    }

    @Test
    void partialsRecordIsKeyedByShardLikePb1() {
        ProducerRecord<byte[], byte[]> r = IngestRecordCodec.encodePartials(TOPIC, 4, "web", 7, goldenPartials());
        assertThat(r.partition()).isEqualTo(3);
        assertThat(r.key()).containsExactly(0, 0, 0, 7);
        assertThat(r.headers().lastHeader("db").value()).isEqualTo("web".getBytes(StandardCharsets.UTF_8));
        assertThat(r.headers().lastHeader("format").value()).isEqualTo("pa1".getBytes(StandardCharsets.UTF_8));
        assertThat(r.headers().toArray()).hasSize(2);

        IngestRecord decoded = IngestRecordCodec.decode(consumed(r, 3, 12));
        assertThat(decoded).isInstanceOf(IngestRecord.Partials.class);
        IngestRecord.Partials p = (IngestRecord.Partials) decoded;
        assertThat(p.database()).isEqualTo("web");
        assertThat(p.shard()).isEqualTo(7);
        assertThat(p.keyed()).isTrue();
        assertThat(p.format()).isEqualTo(IngestFormat.PARTIALS_V1);
        assertThat(p.batch()).isEqualTo(goldenPartials());
        assertThat(p.source()).isEqualTo(new IngestRecord.Source(TOPIC, 3, 12));
    }

    @Test
    void partialsRecordWithoutKeyLeavesTheShardingToTheConsumer() {
        ProducerRecord<byte[], byte[]> r = IngestRecordCodec.encodePartials(TOPIC, "web", goldenPartials());
        assertThat(r.key()).isNull();
        assertThat(r.partition()).isNull();
        assertThat(r.headers().lastHeader("format").value()).isEqualTo("pa1".getBytes(StandardCharsets.UTF_8));
        IngestRecord.Partials p = (IngestRecord.Partials) IngestRecordCodec.decode(consumed(r, 1, 5));
        assertThat(p.shard()).isEqualTo(IngestRecord.Partials.UNKEYED).isEqualTo(-1);
        assertThat(p.keyed()).isFalse();
        assertThat(p.batch()).isEqualTo(goldenPartials());
    }

    @Test
    void badPartialsRecordsAreNamed() {
        String at = "cannot decode ingest record [topic=meridian.ingest, partition=2, offset=41]: ";
        byte[] partials = goldenPartials().toByteArray();
        byte[] rows = goldenBatch().toByteArray();
        byte[] key = IngestRecordCodec.shardKey(1);
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(key, rows, h("db", "web"), h("format", "pa1"))))
                .isInstanceOf(IngestRecordException.class)
                .hasMessageStartingWith(at + "rows in a pa1 record [format=pa1]: got 2 series of rows")
                .satisfies(e -> assertThat(((IngestRecordException) e).reason())
                        .startsWith("rows in a pa1 record [format=pa1]"));
        PointBatch mixed = goldenBatch().toBuilder()
                .addAllPartials(goldenPartials().getPartialsList())
                .build();
        assertThatThrownBy(() ->
                        IngestRecordCodec.decode(raw(null, mixed.toByteArray(), h("db", "web"), h("format", "pa1"))))
                .hasMessageStartingWith(at + "rows in a pa1 record [format=pa1]");
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(key, partials, h("db", "web"), h("format", "pb1"))))
                .isInstanceOf(IngestRecordException.class)
                .hasMessageStartingWith(at + "partials in a pb1 record [format=pb1]: use format pa1");
        assertThatThrownBy(() ->
                        IngestRecordCodec.decode(raw(key, mixed.toByteArray(), h("db", "web"), h("format", "pb1"))))
                .hasMessageStartingWith(at + "partials in a pb1 record [format=pb1]: use format pa1");
        assertThatThrownBy(() -> IngestRecordCodec.decode(
                        raw(key, new byte[] {(byte) 0xff, 1, 2}, h("db", "web"), h("format", "pa1"))))
                .isInstanceOf(IngestRecordException.class)
                .hasMessageStartingWith(at + "unparsable PointBatch [format=pa1, bytes=3]: ");
        assertThatThrownBy(() ->
                        IngestRecordCodec.decode(raw(new byte[] {0, 1}, partials, h("db", "web"), h("format", "pa1"))))
                .hasMessage(at + "bad key length [format=pa1]: got 2 bytes; want 4 (the shard, big-endian int32)"
                        + " or no key");
        assertThatThrownBy(
                        () -> IngestRecordCodec.decode(raw(new byte[0], partials, h("db", "web"), h("format", "pa1"))))
                .hasMessageStartingWith(at + "bad key length [format=pa1]: got 0 bytes");
        assertThatThrownBy(() -> IngestRecordCodec.decode(
                        raw(new byte[] {-1, -1, -1, -2}, partials, h("db", "web"), h("format", "pa1"))))
                .hasMessage(at + "bad key [format=pa1]: got shard -2; want >= 0");
        assertThatThrownBy(() -> IngestRecordCodec.decode(
                        raw(key, partials, h("db", "web"), h("format", "pa1"), h("precision", "ms"))))
                .hasMessage(at + "precision not allowed [header=precision, format=pa1]: got ms; partial aggregates"
                        + " are in ms, leave the header out");
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(key, null, h("db", "web"), h("format", "pa1"))))
                .hasMessage(at + "missing value [format=pa1]");
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(key, partials, h("format", "pa1"))))
                .hasMessage(at + "missing header [header=db]: every record names its database");
        // an empty value is an empty batch: decodes, and the consumer's PartialRules refuse it (EMPTY_BATCH)
        assertThat(((IngestRecord.Partials)
                                IngestRecordCodec.decode(raw(null, new byte[0], h("db", "web"), h("format", "pa1"))))
                        .batch())
                .isEqualTo(PointBatch.getDefaultInstance());
    }

    @Test
    void unknownFormatListsPa1() {
        assertThatThrownBy(
                        () -> IngestRecordCodec.decode(raw(null, new byte[] {1}, h("db", "web"), h("format", "pa2"))))
                .hasMessageEndingWith("unknown format [header=format, format=pa2]: want one of lp, pb1, pa1"
                        + " (a newer producer? upgrade the consumer)");
    }

    @Test
    void linesRoundTripWithAndWithoutPrecision() {
        byte[] text = "cpu,host=h1 usage=1 1\ncpu,host=h2 usage=2 2\n".getBytes(StandardCharsets.UTF_8);
        IngestRecord.Lines ms = (IngestRecord.Lines) IngestRecordCodec.decode(
                consumed(IngestRecordCodec.encodeLines(TOPIC, "web", text, Precision.MILLISECONDS), 0, 0));
        assertThat(ms.database()).isEqualTo("web");
        assertThat(ms.precision()).isEqualTo(Precision.MILLISECONDS);
        assertThat(ms.text()).isEqualTo(text);
        ProducerRecord<byte[], byte[]> ns = IngestRecordCodec.encodeLines(TOPIC, "web", text, null);
        assertThat(ns.key()).isNull();
        assertThat(ns.partition()).isNull();
        assertThat(ns.headers().lastHeader("precision")).isNull();
        assertThat(((IngestRecord.Lines) IngestRecordCodec.decode(consumed(ns, 0, 1))).precision())
                .isEqualTo(Precision.NANOSECONDS);
    }

    @Test
    void aPlainProducersRecordWithOnlyDbIsLineProtocolWhateverItsKey() {
        IngestRecord r = IngestRecordCodec.decode(raw(
                "anything".getBytes(StandardCharsets.UTF_8),
                "m f=1".getBytes(StandardCharsets.UTF_8),
                h("db", "web"),
                h("precision", "s")));
        assertThat(r).isInstanceOf(IngestRecord.Lines.class);
        assertThat(r.format()).isEqualTo(IngestFormat.LINE_PROTOCOL);
        assertThat(((IngestRecord.Lines) r).precision()).isEqualTo(Precision.SECONDS);
    }

    @Test
    void badRecordsAreNamedWithTopicPartitionOffsetAndTheProblem() {
        byte[] value = goldenBatch().toByteArray();
        String at = "cannot decode ingest record [topic=meridian.ingest, partition=2, offset=41]: ";
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(null, value, h("format", "pb1"))))
                .isInstanceOf(IngestRecordException.class)
                .hasMessage(at + "missing header [header=db]: every record names its database");
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(null, value, h("db", "1web"))))
                .hasMessageStartingWith(at + "invalid database name [header=db, db=1web]: ");
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(null, value, h("db", "web"), h("format", "pb9"))))
                .isInstanceOf(IngestRecordException.class)
                .hasMessageStartingWith(at + "unknown format [header=format, format=pb9]: want one of lp, pb1")
                .satisfies(e -> assertThat(((IngestRecordException) e).reason()).startsWith("unknown format"))
                .satisfies(e ->
                        assertThat(((IngestRecordException) e).isRetriable()).isFalse());
        assertThatThrownBy(() ->
                        IngestRecordCodec.decode(raw(new byte[] {0, 1}, value, h("db", "web"), h("format", "pb1"))))
                .hasMessage(at + "bad key length [format=pb1]: got 2 bytes; want 4 (the shard, big-endian int32)");
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(null, value, h("db", "web"), h("format", "pb1"))))
                .hasMessageContaining("bad key length [format=pb1]: got no key");
        assertThatThrownBy(() -> IngestRecordCodec.decode(
                        raw(new byte[] {-1, -1, -1, -1}, value, h("db", "web"), h("format", "pb1"))))
                .hasMessage(at + "bad key [format=pb1]: got shard -1; want >= 0");
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(
                        IngestRecordCodec.shardKey(1),
                        new byte[] {(byte) 0xff, 1, 2},
                        h("db", "web"),
                        h("format", "pb1"))))
                .isInstanceOf(IngestRecordException.class)
                .hasMessageStartingWith(at + "unparsable PointBatch [format=pb1, bytes=3]: ");
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(null, null, h("db", "web"))))
                .hasMessage(at + "missing value [format=lp]");
        assertThatThrownBy(() -> IngestRecordCodec.decode(raw(null, value, h("db", "web"), h("precision", "days"))))
                .hasMessageStartingWith(at + "unknown precision [header=precision, precision=days]");
    }

    @Test
    void encodeChecksItsArguments() {
        assertThatThrownBy(() -> IngestRecordCodec.encodeBatch(TOPIC, 0, "web", 1, goldenBatch()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partitions=0");
        assertThatThrownBy(() -> IngestRecordCodec.encodeBatch(TOPIC, 2, "web", -1, goldenBatch()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shard=-1");
        assertThatThrownBy(() -> IngestRecordCodec.encodeBatch(TOPIC, 2, "no space", 1, goldenBatch()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("db=no space");
        assertThatThrownBy(() -> IngestRecordCodec.encodeBatch(TOPIC, 2, "web", 1, goldenPartials()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("partials in a pb1 record [db=web, shard=1]");
        assertThatThrownBy(() -> IngestRecordCodec.encodePartials(TOPIC, 2, "web", 1, goldenBatch()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid pa1 batch [db=web]: got 2 series of rows and 0 partial series; want partials"
                        + " only, at least one");
        assertThatThrownBy(() -> IngestRecordCodec.encodePartials(TOPIC, "web", PointBatch.getDefaultInstance()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("want partials only");
        assertThatThrownBy(() -> IngestRecordCodec.encodePartials(TOPIC, 2, "web", -1, goldenPartials()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shard=-1");
        assertThatThrownBy(() -> IngestRecordCodec.encodePartials(TOPIC, "no space", goldenPartials()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("db=no space");
    }

    @Test
    void deadLetterKeepsTheBytesAndAddsTheReason() {
        ConsumerRecord<byte[], byte[]> bad = raw(new byte[] {1}, new byte[] {2, 3}, h("db", "web"), h("format", "x"));
        ProducerRecord<byte[], byte[]> dlq = IngestRecordCodec.deadLetter(IngestTopic.DEFAULT_DLQ_TOPIC, bad, "why");
        assertThat(dlq.topic()).isEqualTo("meridian.ingest.dlq");
        assertThat(dlq.key()).containsExactly(1);
        assertThat(dlq.value()).containsExactly(2, 3);
        assertThat(new String(dlq.headers().lastHeader("meridian.dlq.reason").value(), StandardCharsets.UTF_8))
                .isEqualTo("why");
        assertThat(new String(dlq.headers().lastHeader("meridian.dlq.offset").value(), StandardCharsets.UTF_8))
                .isEqualTo("41");
        assertThat(dlq.headers().lastHeader("format").value()).containsExactly('x');
    }

    /** The pb1 v1 wire format cannot drift: value bytes and headers equal the checked-in golden files. */
    @Test
    void pb1RecordMatchesTheGoldenFiles() throws IOException {
        ProducerRecord<byte[], byte[]> r = IngestRecordCodec.encodeBatch(TOPIC, 4, "web", 3, goldenBatch());
        assertThat(r.value())
                .as("golden/pb1/v1/record.value.bin")
                .isEqualTo(Files.readAllBytes(GOLDEN.resolve("record.value.bin")));
        assertThat(describe(r))
                .as("golden/pb1/v1/record.txt")
                .isEqualTo(withoutComments(Files.readAllLines(GOLDEN.resolve("record.txt"))));
        // and the golden bytes decode to the fixed batch
        IngestRecord.Batch b = (IngestRecord.Batch) IngestRecordCodec.decode(consumed(r, 3, 0));
        assertThat(b.batch()).isEqualTo(goldenBatch());
        assertThat(r.value()).hasSize(142);
    }

    /** The pa1 v1 wire format cannot drift either; the golden bytes decode to a batch that passes the rules. */
    @Test
    void pa1RecordMatchesTheGoldenFiles() throws IOException {
        ProducerRecord<byte[], byte[]> r = IngestRecordCodec.encodePartials(TOPIC, 4, "web", 3, goldenPartials());
        byte[] golden = Files.readAllBytes(GOLDEN_PA1.resolve("record.value.bin"));
        assertThat(r.value()).as("golden/pa1/v1/record.value.bin").isEqualTo(golden);
        assertThat(describe(r))
                .as("golden/pa1/v1/record.txt")
                .isEqualTo(withoutComments(Files.readAllLines(GOLDEN_PA1.resolve("record.txt"))));

        // the golden bytes, as a consumer reads them
        ProducerRecord<byte[], byte[]> read = new ProducerRecord<>(TOPIC, 3, null, r.key(), golden, r.headers());
        IngestRecord.Partials p = (IngestRecord.Partials) IngestRecordCodec.decode(consumed(read, 3, 0));
        assertThat(p.database()).isEqualTo("web");
        assertThat(p.shard()).isEqualTo(3);
        assertThat(p.batch()).isEqualTo(goldenPartials());
        assertThat(p.batch().getSeriesCount()).isZero();
        assertThat(p.batch().getUnknownFields().asMap()).isEmpty();
        assertThat(PartialRules.check(p.batch(), SLOT_MS)).isEqualTo(new PartialRules.Totals(7, 3));
        SeriesPartials s = p.batch().getPartials(0);
        assertThat(SeriesPartialsCodec.key(s)).isEqualTo(SeriesKey.of("http", "host", "a"));
        assertThat(s.getFieldsList()).containsExactly("requests", "latency");
        assertThat(SeriesPartialsCodec.types(s)).containsExactly(FieldType.SUM, FieldType.HISTOGRAM);
        assertThat(SeriesPartialsCodec.slotStarts(s)).containsExactly(T, T + SLOT_MS);
        AggState[] cells = SeriesPartialsCodec.cells(s);
        assertThat(cells[0].count()).isEqualTo(3);
        assertThat(cells[0].sum()).isEqualTo(10);
        assertThat(cells[1].histogram().total()).isEqualTo(3);
        assertThat(cells[1].max()).isEqualTo(300);
        assertThat(s.getCells(2)).isEqualTo(PartialAgg.getDefaultInstance()); // the hole
        assertThat(cells[3].count()).isEqualTo(1);
        assertThat(cells[3].last()).isEqualTo(42);
        assertThat(r.value()).hasSize(272);
    }

    /**
     * Writes the golden files of a format version that has none yet (never overwrites: they are pinned once made);
     * run once per new format version: -Dgolden.write=true -Dtest=IngestRecordCodecTest.
     */
    @Test
    void writeGoldenWhenAsked() throws IOException {
        if (!Boolean.getBoolean("golden.write")) {
            return;
        }
        writeGolden(
                GOLDEN,
                IngestRecordCodec.encodeBatch(TOPIC, 4, "web", 3, goldenBatch()),
                "# pb1 v1 golden record: IngestRecordCodecTest.goldenBatch() encoded for topic meridian.ingest,");
        writeGolden(
                GOLDEN_PA1,
                IngestRecordCodec.encodePartials(TOPIC, 4, "web", 3, goldenPartials()),
                "# pa1 v1 golden record: IngestRecordCodecTest.goldenPartials() encoded for topic meridian.ingest,");
    }

    private static void writeGolden(Path dir, ProducerRecord<byte[], byte[]> r, String firstLine) throws IOException {
        if (Files.exists(dir.resolve("record.value.bin")) || Files.exists(dir.resolve("record.txt"))) {
            return;
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve("record.value.bin"), r.value());
        List<String> lines = new ArrayList<>();
        lines.add(firstLine);
        lines.add(
                "# 4 partitions, db web, shard 3; generator IngestRecordCodecTest#writeGoldenWhenAsked. Never regenerate:");
        lines.add("# a change here is a wire-format change and needs a new format version (FORMAT.md).");
        lines.addAll(describe(r));
        Files.write(dir.resolve("record.txt"), lines);
    }

    /** partition, key and every header (name and value bytes in hex) in order, and the value's length. */
    private static List<String> describe(ProducerRecord<byte[], byte[]> r) {
        HexFormat hex = HexFormat.of();
        List<String> out = new ArrayList<>();
        out.add("partition " + r.partition());
        out.add("key " + hex.formatHex(r.key()));
        for (Header h : r.headers()) {
            out.add("header " + h.key() + " " + hex.formatHex(h.value()));
        }
        out.add("value-bytes " + r.value().length);
        return out;
    }

    private static List<String> withoutComments(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }
}
