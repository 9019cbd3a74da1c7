package io.meridian.connector.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.ingest.SeriesRowsBuilder;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.testing.LocalStorageCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pre-aggregation operator's triggers, on a test harness against real etcd and a storage node (for the base
 * interval and the declared field types): nothing leaves before a checkpoint barrier, the memory bound or the delay;
 * at the barrier every cell leaves, dense slots as partial cells of the field's declared type and lone points as
 * points; batches of partials pass through; a shard whose points do not fold is passed through untouched once
 * judged.
 */
@ExtendWith(EtcdExtension.class)
class PreAggregateOperatorIT {
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;
    private static final SeriesKey KEY = SeriesKey.of("http", "host", "a");

    @TempDir
    Path dir;

    private static LocalStorageCluster cluster(EtcdProcess etcd, Path dir, String root) {
        return new LocalStorageCluster(
                etcd,
                dir,
                root,
                1,
                new DatabaseConfig(
                        "web", 1, 1, WriteConcern.LEADER, List.of(IntervalSpec.parse("10s", "30d")), List.of("c1")));
    }

    private static OneInputStreamOperatorTestHarness<ShardBatch, ShardBatch> harness(
            LocalStorageCluster c, PreAggregateOptions options) throws Exception {
        MeridianSink<ShardBatch> sink = MeridianSink.forShardBatches()
                .setEtcdEndpoints(c.etcdEndpoint())
                .setMetaRoot(c.root())
                .setIdc("idc1")
                .build();
        var h = new OneInputStreamOperatorTestHarness<>(
                new PreAggregateOperator<>(sink.settings(), options, PreAggregateInput.shardBatches()));
        h.open();
        return h;
    }

    /** {@code perSlot} points of fields ms and lat in each of {@code slots} 10 s slots. */
    private static ShardBatch points(int slots, int perSlot) {
        SeriesRowsBuilder b = new SeriesRowsBuilder(KEY, List.of("ms", "lat"));
        for (int s = 0; s < slots; s++) {
            for (int p = 0; p < perSlot; p++) {
                b.row(T0 + s * 10_000L + p * (10_000L / perSlot));
                b.value(p);
                b.value(p * 2);
            }
        }
        return new ShardBatch(
                "web", 0, PointBatch.newBuilder().addSeries(b.build()).build().toByteArray(), 2L * slots * perSlot);
    }

    private static List<ShardBatch> drainOutput(OneInputStreamOperatorTestHarness<ShardBatch, ShardBatch> h) {
        List<ShardBatch> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add((ShardBatch) r.getValue());
            }
        }
        h.getOutput().clear();
        return out;
    }

    @Test
    void denseSlotsLeaveAsCellsOfTheDeclaredTypeAtTheBarrier(EtcdProcess etcd) throws Exception {
        try (LocalStorageCluster c = cluster(etcd, dir, "/preagg-barrier")) {
            c.declareField("web", 1, "http", "lat", WireEnums.toWire(FieldType.HISTOGRAM));
            try (var h = harness(c, PreAggregateOptions.defaults().withMaxDelay(Duration.ofHours(1)))) {
                h.processElement(new StreamRecord<>(points(3, 10)));
                h.processElement(new StreamRecord<>(points(1, 1))); // a lone point in slot 0... merged with it
                assertThat(drainOutput(h)).as("nothing before the barrier").isEmpty();
                h.prepareSnapshotPreBarrier(1);
                List<ShardBatch> out = drainOutput(h);
                assertThat(out).singleElement().satisfies(b -> {
                    assertThat(b.partials).isTrue();
                    assertThat(b.points).isEqualTo(62);
                    assertThat(b.cells).isEqualTo(6);
                    PointBatch batch = PointBatch.parseFrom(b.batch);
                    var series = batch.getPartials(0);
                    assertThat(series.getFieldsList()).as("in arrival order").containsExactly("ms", "lat");
                    assertThat(SeriesPartialsCodec.types(series)).containsExactly(FieldType.GAUGE, FieldType.HISTOGRAM);
                    AggState[] cells = SeriesPartialsCodec.cells(series);
                    assertThat(cells[1].count()).isEqualTo(11);
                    assertThat(cells[1].histogram())
                            .as("a histogram field keeps its buckets")
                            .isNotNull();
                    assertThat(cells[0].histogram()).isNull();
                    assertThat(cells[0].sum()).isEqualTo(45);
                });
                h.prepareSnapshotPreBarrier(2);
                assertThat(drainOutput(h)).as("an empty table emits nothing").isEmpty();
            }
        }
    }

    @Test
    void theMemoryBoundAndTheDelayEmitBeforeABarrier(EtcdProcess etcd) throws Exception {
        try (LocalStorageCluster c = cluster(etcd, dir, "/preagg-bounds")) {
            try (var h =
                    harness(c, PreAggregateOptions.defaults().withMaxCells(5).withMaxDelay(Duration.ofSeconds(5)))) {
                h.processElement(new StreamRecord<>(points(2, 10))); // 4 cells: below the bound
                assertThat(drainOutput(h)).isEmpty();
                h.processElement(new StreamRecord<>(points(3, 10))); // 6 cells: emitted at once
                assertThat(drainOutput(h))
                        .singleElement()
                        .satisfies(b -> assertThat(b.cells).isEqualTo(6));
                h.processElement(new StreamRecord<>(points(1, 10)));
                assertThat(drainOutput(h)).isEmpty();
                h.setProcessingTime(h.getProcessingTime() + 5_000);
                assertThat(drainOutput(h))
                        .as("emitted by the delay")
                        .singleElement()
                        .satisfies(b -> assertThat(b.points).isEqualTo(20));
            }
        }
    }

    @Test
    void partialsPassThroughAndAShardThatDoesNotFoldIsBypassed(EtcdProcess etcd) throws Exception {
        try (LocalStorageCluster c = cluster(etcd, dir, "/preagg-bypass")) {
            try (var h = harness(c, PreAggregateOptions.defaults().withMaxDelay(Duration.ofHours(1)))) {
                ShardBatch partial = ShardBatch.ofPartials(
                        "web",
                        0,
                        PointBatch.newBuilder()
                                .addPartials(SeriesPartialsCodec.encode(
                                        KEY,
                                        List.of("ms"),
                                        List.of(FieldType.GAUGE),
                                        10_000,
                                        new long[] {T0},
                                        new AggState[] {AggState.of(T0 + 1, 1).add(T0 + 2, 2)}))
                                .build()
                                .toByteArray(),
                        2,
                        1);
                h.processElement(new StreamRecord<>(partial));
                assertThat(drainOutput(h))
                        .usingRecursiveFieldByFieldElementComparator()
                        .containsExactly(partial);

                // one point per slot (TSBS): judged once 20,000 points folded, then passed through untouched
                h.processElement(new StreamRecord<>(points(12_000, 1)));
                assertThat(drainOutput(h))
                        .as("emitted when judged: as points")
                        .singleElement()
                        .satisfies(b -> {
                            assertThat(b.partials).isFalse();
                            assertThat(b.points).isEqualTo(24_000);
                        });
                ShardBatch sparse = points(20, 1);
                h.processElement(new StreamRecord<>(sparse));
                assertThat(drainOutput(h))
                        .as("bypassed: the same batch, not re-encoded")
                        .singleElement()
                        .satisfies(b -> {
                            assertThat(b.batch).isEqualTo(sparse.batch);
                            assertThat(b.points).isEqualTo(sparse.points);
                        });
                for (int checkpoint = 1; checkpoint <= PreAggregateOperator.BYPASS_CHECKPOINTS; checkpoint++) {
                    h.prepareSnapshotPreBarrier(checkpoint);
                }
                h.processElement(new StreamRecord<>(points(20, 1)));
                assertThat(drainOutput(h))
                        .as("after the bypass the shard is tried again: folded, nothing before the barrier")
                        .isEmpty();
            }
        }
    }
}
