package io.meridian.common.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the wire bytes of a revision-6 write of partial aggregates (storage.proto, {@code PointBatch.partials}): two
 * series, a sum field and a histogram field, a hole and a count-1 cell. The file in
 * {@code src/test/resources/golden/rpc/v1/} is permanent (README.md there; the revision-1 files are pinned by
 * storage-node's {@code StorageWireGoldenTest}): a failure means the contract changed incompatibly. To create a
 * missing file once: {@code -Dmeridian.golden.create=<path of src/test/resources/golden>}.
 */
class WritePartialsGoldenTest {
    static final long T = 1_767_225_600_000L;
    static final long BASE_MS = 10_000;
    static final String FILE = "write-request-partials.bin";

    static WriteRequest writeRequest() {
        SeriesPartials a = SeriesPartialsCodec.encode(
                SeriesKey.of("http", "host", "a"),
                List.of("requests", "latency"),
                List.of(FieldType.SUM, FieldType.HISTOGRAM),
                BASE_MS,
                new long[] {T, T + BASE_MS},
                new AggState[] {
                    AggState.of(T + 1_000, 2).add(T + 4_000, 3).add(T + 9_000, 5),
                    AggState.empty()
                            .observe(T + 1_000, 0.5)
                            .observe(T + 4_000, 12)
                            .observe(T + 9_000, 300),
                    null, // a hole: no requests in the second slot
                    AggState.empty().observe(T + 10_500, 42) // a count-1 cell
                });
        SeriesPartials b = SeriesPartialsCodec.encode(
                SeriesKey.of("http", "host", "b"),
                List.of("requests"),
                List.of(FieldType.SUM),
                BASE_MS,
                new long[] {T - BASE_MS},
                new AggState[] {AggState.of(T - 9_000, 1).add(T - 1_000, 1.5)});
        return WriteRequest.newBuilder()
                .setShard(
                        ShardRef.newBuilder().setDatabase("metrics").setShard(3).setEpoch(7))
                .setBatch(PointBatch.newBuilder().addPartials(a).addPartials(b))
                .setWriterId("sink-0")
                .setSequence(43)
                .build();
    }

    @Test
    void bytesArePinnedAndReencodeIdentically() throws IOException {
        WriteRequest m = writeRequest();
        byte[] golden = golden(FILE, m.toByteArray());
        assertThat(m.toByteArray()).isEqualTo(golden);
        WriteRequest parsed = WriteRequest.parseFrom(golden);
        assertThat(parsed).isEqualTo(m);
        assertThat(parsed.toByteArray()).isEqualTo(golden);
        assertThat(parsed.getUnknownFields().asMap()).isEmpty();
    }

    @Test
    void theContentPassesTheRulesAndDecodes() throws IOException {
        WriteRequest m = WriteRequest.parseFrom(golden(FILE, null));
        assertThat(m.getShard().getDatabase()).isEqualTo("metrics");
        assertThat(m.getSequence()).isEqualTo(43);
        PointBatch batch = m.getBatch();
        assertThat(batch.getSeriesCount()).isZero();
        assertThat(PartialRules.carriesPartials(batch)).isTrue();
        assertThat(PartialRules.check(batch, BASE_MS)).isEqualTo(new PartialRules.Totals(9, 4));

        SeriesPartials a = batch.getPartials(0);
        assertThat(SeriesPartialsCodec.key(a)).isEqualTo(SeriesKey.of("http", "host", "a"));
        assertThat(a.getFieldsList()).containsExactly("requests", "latency");
        assertThat(SeriesPartialsCodec.types(a)).containsExactly(FieldType.SUM, FieldType.HISTOGRAM);
        assertThat(a.getIntervalMs()).isEqualTo(BASE_MS);
        assertThat(a.getSlotDeltasList()).containsExactly(T, BASE_MS);
        assertThat(SeriesPartialsCodec.slotStarts(a)).containsExactly(T, T + BASE_MS);
        AggState[] cells = SeriesPartialsCodec.cells(a);
        assertThat(cells[0].count()).isEqualTo(3);
        assertThat(cells[0].sum()).isEqualTo(10);
        assertThat(cells[0].histogram()).isNull();
        assertThat(cells[1].histogram().total()).isEqualTo(3);
        assertThat(cells[1].histogram().size()).isEqualTo(3);
        assertThat(cells[1].min()).isEqualTo(0.5);
        assertThat(cells[1].max()).isEqualTo(300);
        assertThat(a.getCells(2)).isEqualTo(PartialAgg.getDefaultInstance());
        assertThat(cells[2].isEmpty()).isTrue();
        assertThat(cells[3].count()).isEqualTo(1);
        assertThat(cells[3].last()).isEqualTo(42);
        assertThat(cells[3].lastTs()).isEqualTo(T + 10_500);
        assertThat(cells[3].histogram().total()).isEqualTo(1);

        SeriesPartials b = batch.getPartials(1);
        assertThat(SeriesPartialsCodec.key(b)).isEqualTo(SeriesKey.of("http", "host", "b"));
        assertThat(SeriesPartialsCodec.slotStarts(b)).containsExactly(T - BASE_MS);
        assertThat(SeriesPartialsCodec.cells(b))
                .containsExactly(AggState.of(T - 9_000, 1).add(T - 1_000, 1.5));
        for (SeriesPartials s : batch.getPartialsList()) {
            assertThat(s.getCellsList()).noneMatch(PartialAgg::hasM2);
        }
    }

    /** What a revision-5 node does with it: its rules read rows only and find none (design D2). */
    @Test
    void theRowRulesRefuseItAsEmpty() throws IOException {
        PointBatch batch = WriteRequest.parseFrom(golden(FILE, null)).getBatch();
        BatchRules.Violation v =
                catchThrowableOfType(BatchRules.Violation.class, () -> BatchRules.checkStructure(batch));
        assertThat(v.rule()).isEqualTo(BatchRules.Rule.EMPTY_BATCH);
        PointBatch revision5 =
                PointBatch.newBuilder().mergeFrom(batch).clearPartials().build();
        assertThat(revision5.getSeriesCount()).isZero(); // the partials were its only content
    }

    /** Reads a golden file; creates it from {@code created} when asked to (never overwrites). */
    static byte[] golden(String name, byte[] created) throws IOException {
        String createDir = System.getProperty("meridian.golden.create");
        if (createDir != null && created != null) {
            Path target = Path.of(createDir, "rpc", "v1", name);
            if (!Files.exists(target)) {
                Files.createDirectories(target.getParent());
                Files.write(target, created);
            }
        }
        try (InputStream in = WritePartialsGoldenTest.class.getResourceAsStream("/golden/rpc/v1/" + name)) {
            assertThat(in)
                    .as("golden file %s (create it once with -Dmeridian.golden.create)", name)
                    .isNotNull();
            return in.readAllBytes();
        }
    }
}
