package io.meridian.storage.server;

import static io.meridian.storage.server.StorageServerFixture.EPOCH;
import static io.meridian.storage.server.StorageServerFixture.SHARD0;
import static io.meridian.storage.server.StorageServerFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UnknownFieldSet;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.common.rpc.storage.v1.WriteResponse;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Partial aggregates over the wire (storage.proto revision 6): a batch of partials, on slots finer than the base
 * interval, is applied like the raw points it folds; a bad cell is refused with its rule, naming series, field and
 * slot, and changes nothing.
 */
class StoragePartialWritesTest extends ServerTestBase {
    private static final SeriesKey KEY = SeriesKey.of("http", "host", "a");

    private WriteResponse write(PointBatch batch) {
        return fx.stub.write(WriteRequest.newBuilder()
                .setShard(ShardRefCodec.encode(SHARD0, EPOCH))
                .setBatch(batch)
                .build());
    }

    private PartialTable query() {
        return fx.registry
                .replica(SHARD0)
                .shard()
                .query(new LeafQuery("http", TagPredicate.all(), T0, T0 + 60_000, 10_000, List.of(), List.of("ms")));
    }

    @Test
    void partialsOnFinerSlotsAnswerLikeTheirPoints() {
        // six points in base slot 0 (10 s), folded into two 5 s cells; two points in base slot 1, one cell
        long[] ts = {T0 + 100, T0 + 2_000, T0 + 4_900, T0 + 5_000, T0 + 7_000, T0 + 9_999, T0 + 12_000, T0 + 13_000};
        double[] v = {4, 1, 7, 2, 9, 3, 5, 6};
        AggState a = AggState.empty();
        AggState b = AggState.empty();
        AggState c = AggState.empty();
        for (int i = 0; i < ts.length; i++) {
            (i < 3 ? a : i < 6 ? b : c).add(ts[i], v[i]);
        }
        SeriesPartials wire = SeriesPartialsCodec.encode(
                KEY,
                List.of("ms"),
                List.of(FieldType.GAUGE),
                5_000,
                new long[] {T0, T0 + 5_000, T0 + 10_000},
                new AggState[] {a, b, c});
        WriteResponse w = write(PointBatch.newBuilder().addPartials(wire).build());
        assertThat(w.getPoints()).isEqualTo(8);
        assertThat(w.getCells()).isEqualTo(3);

        PartialTable got = query();
        fx.registry.replica(SHARD0).shard().flush();
        PartialTable flushed = query();
        AggState slot0 = AggState.empty();
        AggState slot1 = AggState.empty();
        for (int i = 0; i < ts.length; i++) {
            (i < 6 ? slot0 : slot1).add(ts[i], v[i]);
        }
        for (PartialTable t : List.of(got, flushed)) {
            assertThat(t.cell(List.of(), (int) ((T0 - t.startMs()) / 10_000), 0))
                    .isEqualTo(slot0);
            assertThat(t.cell(List.of(), (int) ((T0 + 10_000 - t.startMs()) / 10_000), 0))
                    .isEqualTo(slot1);
        }
    }

    @Test
    void aBadCellIsRefusedWithItsRuleAndChangesNothing() {
        PartialAgg minAboveMax = PartialAgg.newBuilder()
                .setCount(2)
                .setSum(8)
                .setMin(5)
                .setMax(3)
                .setFirstTs(T0 + 1)
                .setFirst(5)
                .setLastTs(T0 + 2)
                .setLast(3)
                .build();
        SeriesPartials bad = SeriesPartialsCodec.encode(
                        KEY, List.of("ms"), List.of(FieldType.GAUGE), 10_000, new long[] {T0}, new AggState[] {null})
                .toBuilder()
                .setCells(0, minAboveMax)
                .build();
        assertThatThrownBy(() -> write(PointBatch.newBuilder().addPartials(bad).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(RpcErrors.fromStatus(e).code()).isEqualTo(ErrorCode.INVALID_INPUT);
                    assertThat(e.getMessage())
                            .contains("series=http,host=a", "field=ms", "slot=" + T0, "min=5.0 max=3.0");
                });
        assertThat(fx.registry.replica(SHARD0).shard().fields("http")).isEmpty();
        assertThat(fx.registry.replica(SHARD0).shard().stats().memtablePoints()).isZero();
    }

    @Test
    void aFieldOfANewerRevisionIsRefusedNotSkipped() {
        SeriesPartials wire = SeriesPartialsCodec.encode(
                KEY, List.of("ms"), List.of(FieldType.GAUGE), 10_000, new long[] {T0}, new AggState[] {
                    AggState.of(T0 + 1, 1).add(T0 + 2, 2)
                });
        PointBatch newer = PointBatch.newBuilder()
                .addPartials(wire)
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(
                                9,
                                UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                        .build())
                .build();
        assertThatThrownBy(() -> write(newer)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(RpcErrors.fromStatus(e).code()).isEqualTo(ErrorCode.FORMAT_VERSION);
            assertThat(e.getMessage()).contains("unknown fields in a PointBatch [9]");
        });
        assertThat(fx.registry.replica(SHARD0).shard().stats().memtablePoints()).isZero();
    }
}
