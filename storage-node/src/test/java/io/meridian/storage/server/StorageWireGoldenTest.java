package io.meridian.storage.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.meridian.common.model.AggState;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.AggStateCodec;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.storage.shard.WriteBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the v1 wire bytes of representative messages: a write request (columnar rows, delta timestamps, a
 * NaN hole, writer id, sequence, epoch) and a leaf result chunk (header, groups, a histogram state). The
 * files in {@code src/test/resources/golden/rpc/v1/} are permanent (see README.md there): a failure means
 * the contract changed incompatibly; add a revision or a v2 instead of regenerating. To create missing
 * files once: {@code -Dmeridian.golden.create=<path of src/test/resources/golden>}.
 */
class StorageWireGoldenTest {
    static final long T = 1_767_225_600_000L;

    static WriteRequest writeRequest() {
        WriteBatch batch = WriteBatch.of(List.of(
                new WriteBatch.SeriesRows(
                        SeriesKey.of("cpu", "host", "a", "region", "eu"),
                        List.of("usage", "requests"),
                        new long[] {T, T + 10_000, T + 20_000},
                        new double[] {12.5, 3, 13.25, Double.NaN, 14, 4}),
                new WriteBatch.SeriesRows(
                        SeriesKey.of("mem", "host", "b"), List.of("free"), new long[] {T - 5_000}, new double[] {1024
                        })));
        return WriteRequest.newBuilder()
                .setShard(ShardRefCodec.encode(new ShardKey("metrics", 3), 7))
                .setBatch(PointBatchCodec.encode(batch))
                .setWriterId("sink-0")
                .setSequence(42)
                .build();
    }

    static LeafResultChunk resultChunk() {
        AggState a = AggState.of(T, 2).add(T + 10_000, 8);
        AggState h = AggState.empty().observe(T, 0.5).observe(T + 1, 0.5).observe(T + 2, 300);
        Map<List<String>, AggState[]> cells = new HashMap<>();
        cells.put(List.of("eu"), new AggState[] {a, null, null, h});
        cells.put(List.of("us"), new AggState[] {null, AggState.of(T + 60_000, -1.5), null, null});
        PartialTable r = PartialTable.of(List.of("region"), List.of("usage", "latency"), T, 60_000, 2, cells);
        return PartialTableCodec.chunks(r, 100).next();
    }

    @Test
    void writeRequestBytesArePinned() throws IOException {
        WriteRequest m = writeRequest();
        assertThat(m.toByteArray()).isEqualTo(golden("write-request.bin", m.toByteArray()));
        assertThat(WriteRequest.parseFrom(golden("write-request.bin", null))).isEqualTo(m);
        WriteBatch decoded = PointBatchCodec.decode(m.getBatch());
        assertThat(decoded.series().get(0).timestamps()).containsExactly(T, T + 10_000, T + 20_000);
        assertThat(decoded.series().get(1).timestamps()).containsExactly(T - 5_000);
        assertThat(decoded.pointCount()).isEqualTo(6);
    }

    /**
     * The same write as a revision-10 writer that holds its series' canonical keys sends it (the broker's remote
     * write): each series carries {@code key} in place of its metric and tags.
     */
    static WriteRequest keyedWriteRequest() {
        WriteRequest m = writeRequest();
        WriteRequest.Builder b = m.toBuilder();
        for (SeriesRows.Builder s : b.getBatchBuilder().getSeriesBuilderList()) {
            Map<String, String> tags = new HashMap<>();
            s.getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
            s.setKey(ByteString.copyFrom(SeriesKey.of(s.getMetric(), tags).canonicalBytes()))
                    .clearMetric()
                    .clearTags();
        }
        return b.build();
    }

    @Test
    void writeRequestWithSeriesKeysOfRevision10BytesArePinned() throws IOException {
        WriteRequest m = keyedWriteRequest();
        assertThat(m.toByteArray()).isEqualTo(golden("write-request-r10.bin", m.toByteArray()));
        WriteBatch decoded = PointBatchCodec.decode(
                WriteRequest.parseFrom(golden("write-request-r10.bin", null)).getBatch());
        WriteBatch byTags = PointBatchCodec.decode(writeRequest().getBatch());
        for (int i = 0; i < 2; i++) {
            assertThat(decoded.series().get(i).key())
                    .isEqualTo(byTags.series().get(i).key());
            assertThat(decoded.canonicalKey(i)).isEqualTo(byTags.canonicalKey(i));
            assertThat(decoded.series().get(i).values())
                    .isEqualTo(byTags.series().get(i).values());
        }
        assertThat(new String(m.getBatch().getSeries(0).getKey().toByteArray(), StandardCharsets.UTF_8))
                .isEqualTo("cpu\0host\0a\0region\0eu");
    }

    /** The chunk as a revision-8 leaf wrote it: its cells without the selector times of revision 9. */
    static LeafResultChunk withoutSelectorTimes(LeafResultChunk m) {
        LeafResultChunk.Builder b = m.toBuilder();
        b.getGroupsBuilderList()
                .forEach(g -> g.getCellsBuilderList()
                        .forEach(c -> c.getStateBuilder().clearMinTs().clearMaxTs()));
        return b.build();
    }

    @Test
    void leafResultChunkOfRevision9BytesArePinned() throws IOException {
        LeafResultChunk m = resultChunk();
        assertThat(m.toByteArray()).isEqualTo(golden("leaf-result-chunk-r9.bin", m.toByteArray()));
        PartialTable r =
                PartialTableCodec.decode(List.of(LeafResultChunk.parseFrom(golden("leaf-result-chunk-r9.bin", null))));
        AggState h = r.cell(List.of("eu"), 1, 1);
        assertThat(List.of(h.minTs(), h.maxTs())).containsExactly(T, T + 2);
    }

    @Test
    void leafResultChunkBytesArePinned() throws IOException {
        LeafResultChunk m = withoutSelectorTimes(resultChunk());
        assertThat(m.toByteArray()).isEqualTo(golden("leaf-result-chunk.bin", m.toByteArray()));
        PartialTable r =
                PartialTableCodec.decode(List.of(LeafResultChunk.parseFrom(golden("leaf-result-chunk.bin", null))));
        assertThat(r.cell(List.of("eu"), 1, 1).histogram().total()).isEqualTo(3);
        assertThat(r.cell(List.of("eu"), 0, 0)).isEqualTo(AggState.of(T, 2).add(T + 10_000, 8));
        assertThat(r.cell(List.of("us"), 0, 1).last()).isEqualTo(-1.5);
        assertThat(AggStateCodec.encodeStored(r.cell(List.of("eu"), 1, 1)))
                .isEqualTo(m.getGroups(0).getCells(1).getState());
    }

    @Test
    void fieldsOfALaterRevisionAreIgnoredByThisOne() throws IOException {
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(extra);
        out.writeString(99, "from a later revision");
        out.flush();
        byte[] golden = golden("write-request.bin", null);
        byte[] withExtra = new byte[golden.length + extra.size()];
        System.arraycopy(golden, 0, withExtra, 0, golden.length);
        System.arraycopy(extra.toByteArray(), 0, withExtra, golden.length, extra.size());
        WriteRequest parsed = WriteRequest.parseFrom(withExtra);
        assertThat(parsed.getBatch()).isEqualTo(writeRequest().getBatch());
        assertThat(parsed.getSequence()).isEqualTo(42);
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
        try (InputStream in = StorageWireGoldenTest.class.getResourceAsStream("/golden/rpc/v1/" + name)) {
            assertThat(in)
                    .as("golden file %s (create it once with -Dmeridian.golden.create)", name)
                    .isNotNull();
            return in.readAllBytes();
        }
    }
}
