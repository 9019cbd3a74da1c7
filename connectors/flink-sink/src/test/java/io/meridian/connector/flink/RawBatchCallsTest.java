package io.meridian.connector.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StageRequest;
import io.meridian.common.rpc.storage.v1.Tag;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sink's hand-encoded requests are byte for byte the generated messages, and concatenated serialized batches
 * read back as one batch holding every series (what the sink's buffers rely on).
 */
class RawBatchCallsTest {
    private static PointBatch batch(String host, double v) {
        return PointBatch.newBuilder()
                .addSeries(SeriesRows.newBuilder()
                        .setMetric("cpu")
                        .addTags(Tag.newBuilder().setKey("host").setValue(host))
                        .addFields("usage")
                        .addTimestampDeltas(1_732_500_000_000L)
                        .addValues(v))
                .build();
    }

    @Test
    void requestsEqualTheGeneratedEncoding() throws Exception {
        ShardRef ref =
                ShardRef.newBuilder().setDatabase("web").setShard(3).setEpoch(7).build();
        ByteString joined = batch("a", 1).toByteString().concat(batch("b", 2).toByteString());
        PointBatch both = PointBatch.parseFrom(joined);
        assertThat(both.getSeriesCount()).isEqualTo(2);
        assertThat(both.getSeries(1).getTags(0).getValue()).isEqualTo("b");

        byte[] stage = RawBatchCalls.stageRequest(ref, "sink-run-0", 42, joined);
        assertThat(stage)
                .isEqualTo(StageRequest.newBuilder()
                        .setShard(ref)
                        .setWriterId("sink-run-0")
                        .setTransactionId(42)
                        .setBatch(both)
                        .build()
                        .toByteArray());
        byte[] write = RawBatchCalls.writeRequest(ref, joined, "sink-run-0", 9);
        assertThat(write)
                .isEqualTo(WriteRequest.newBuilder()
                        .setShard(ref)
                        .setBatch(both)
                        .setWriterId("sink-run-0")
                        .setSequence(9)
                        .build()
                        .toByteArray());
    }

    @Test
    void shardBuffersJoinRawBatchesAndRowsIntoOneBatch() throws Exception {
        ShardBuffers buffers = new ShardBuffers();
        buffers.addBatch("web", 0, batch("a", 1).toByteArray(), 1);
        ShardBuffers.Buffer b = buffers.addRow(
                "web", 0, SeriesKey.of("cpu", "host", "c"), List.of("usage"), 1_732_500_000_000L, new double[] {3});
        assertThat(b.points).isEqualTo(2);
        assertThat(buffers.take(b).build())
                .singleElement()
                .satisfies(bytes -> assertThat(PointBatch.parseFrom(bytes).getSeriesList())
                        .extracting(s -> s.getTags(0).getValue())
                        .containsExactly("a", "c"));
        assertThat(buffers.isEmpty()).isTrue();
    }

    @Test
    void partialsGoInARequestOfTheirOwnAndCountByCells() throws Exception {
        ShardBuffers buffers = new ShardBuffers();
        buffers.addBatch("web", 0, batch("a", 1).toByteArray(), 1);
        PointBatch partials = PointBatch.newBuilder()
                .addPartials(SeriesPartialsCodec.encode(
                        SeriesKey.of("cpu", "host", "p"),
                        List.of("usage"),
                        List.of(FieldType.GAUGE),
                        10_000,
                        new long[] {1_732_500_000_000L},
                        new AggState[] {AggState.of(1_732_500_000_001L, 1).add(1_732_500_000_002L, 5)}))
                .build();
        ShardBuffers.Buffer b = buffers.addPartials("web", 0, partials.toByteArray(), 2, 1);
        assertThat(b.points).isEqualTo(3);
        assertThat(b.size).as("one point and one cell").isEqualTo(2);
        List<ByteString> out = buffers.take(b).build();
        assertThat(out).hasSize(2);
        assertThat(PointBatch.parseFrom(out.get(0)).getPartialsCount()).isZero();
        assertThat(PointBatch.parseFrom(out.get(1))).isEqualTo(partials);
    }
}
