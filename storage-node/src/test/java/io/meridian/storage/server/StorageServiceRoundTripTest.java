package io.meridian.storage.server;

import static io.meridian.storage.server.StorageServerFixture.EPOCH;
import static io.meridian.storage.server.StorageServerFixture.SHARD0;
import static io.meridian.storage.server.StorageServerFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.StatusRuntimeException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.LocalLeafQuery;
import io.meridian.common.rpc.LocalServers;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.DeclareFieldRequest;
import io.meridian.common.rpc.storage.v1.FieldInfo;
import io.meridian.common.rpc.storage.v1.FlushRequest;
import io.meridian.common.rpc.storage.v1.FlushResponse;
import io.meridian.common.rpc.storage.v1.HealthRequest;
import io.meridian.common.rpc.storage.v1.HealthResponse;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.ListFieldsRequest;
import io.meridian.common.rpc.storage.v1.ListMetricsRequest;
import io.meridian.common.rpc.storage.v1.ListTagValuesRequest;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.WriteOutcome;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.common.rpc.storage.v1.WriteResponse;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Writes and leaf queries over a real gRPC connection give what the shard gives directly. */
class StorageServiceRoundTripTest extends ServerTestBase {
    /** 3 hosts x 2 regions x 60 rows of (usage gauge, requests sum, latency histogram), NaN holes included. */
    static WriteBatch batch() {
        List<WriteBatch.SeriesRows> rows = new ArrayList<>();
        for (int h = 0; h < 3; h++) {
            for (String region : List.of("eu", "us")) {
                SeriesKey key = SeriesKey.of("cpu", "host", "h" + h, "region", region);
                long[] ts = new long[60];
                double[] v = new double[60 * 3];
                for (int r = 0; r < ts.length; r++) {
                    ts[r] = T0 + r * 10_000L;
                    v[r * 3] = (r * 7 + h) % 100;
                    v[r * 3 + 1] = r % 5 == 0 ? Double.NaN : 1 + h;
                    v[r * 3 + 2] = 0.5 * ((r + h) % 13);
                }
                rows.add(new WriteBatch.SeriesRows(key, List.of("usage", "requests", "latency"), ts, v));
            }
        }
        return WriteBatch.of(rows);
    }

    static Map<List<String>, List<AggState>> cells(PartialTable r) {
        Map<List<String>, List<AggState>> m = new HashMap<>();
        r.cells().forEach((g, states) -> m.put(g, Arrays.asList(states)));
        return m;
    }

    @Test
    void writeThenLeafQueryOverTheWireEqualsTheShardDirectly() {
        fx.stub.declareField(DeclareFieldRequest.newBuilder()
                .setShard(ShardRefCodec.encode(SHARD0, EPOCH))
                .setMetric("cpu")
                .setField("latency")
                .setType(io.meridian.common.rpc.storage.v1.FieldType.FIELD_TYPE_HISTOGRAM)
                .build());
        WriteBatch batch = batch();
        WriteResponse w = fx.stub.write(WriteRequest.newBuilder()
                .setShard(ShardRefCodec.encode(SHARD0, EPOCH))
                .setBatch(PointBatchCodec.encode(batch))
                .build());
        assertThat(w.getOutcome()).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        assertThat(w.getPoints()).isEqualTo(batch.pointCount());

        Shard shard = fx.registry.replica(SHARD0).shard();
        List<LeafQuery> queries = List.of(
                new LeafQuery(
                        "cpu",
                        TagPredicate.all(),
                        T0,
                        T0 + 600_000,
                        60_000,
                        List.of("host"),
                        List.of("usage", "requests", "latency")),
                new LeafQuery(
                        "cpu",
                        new TagPredicate.And(List.of(
                                new TagPredicate.Not(TagPredicate.eq("host", "h1")),
                                new TagPredicate.Or(List.of(
                                        new TagPredicate.In("region", List.of("eu")),
                                        TagPredicate.Regex.of("host", "h[2-9]"))))),
                        T0,
                        T0 + 3_600_000,
                        0,
                        List.of("region", "host"),
                        List.of("requests", "usage")),
                new LeafQuery(
                        "cpu",
                        new TagPredicate.Prefix("host", "h"),
                        T0,
                        T0 + 3_600_000,
                        0,
                        List.of(),
                        List.of("usage"),
                        Set.of(Aggregate.LAST)),
                // no time range: the whole retention, one bucket per slot; the shard answers its data's window
                new LeafQuery(
                        "cpu",
                        TagPredicate.all(),
                        StorageServerFixture.NOW - 30 * StorageServerFixture.DAY,
                        StorageServerFixture.NOW + 10_000,
                        10_000,
                        List.of("host"),
                        List.of("usage")));
        for (LeafQuery q : queries) {
            LeafQueryRequest request = LeafQueryCodec.encode(q)
                    .setShard(ShardRefCodec.encode(SHARD0, 0))
                    .setMaxCellsPerChunk(7)
                    .build();
            List<LeafResultChunk> chunks = new ArrayList<>();
            fx.stub.leafQuery(request).forEachRemaining(chunks::add);
            PartialTable direct = shard.query(q);
            PartialTable wire = PartialTableCodec.decode(chunks);
            assertThat(cells(wire)).as("query %s", q).isEqualTo(cells(direct)).isNotEmpty();
            assertThat(wire.groupBy()).isEqualTo(direct.groupBy());
            assertThat(wire.fields()).isEqualTo(direct.fields());
            assertThat(wire.buckets()).isEqualTo(direct.buckets());
            assertThat(wire.startMs()).isEqualTo(direct.startMs());
            assertThat(wire.bucketMs()).isEqualTo(direct.bucketMs());
        }
        PartialTable wide = shard.query(queries.get(3));
        assertThat(wide.startMs()).as("narrowed to the data's segment").isEqualTo(T0);
        assertThat(wide.buckets()).as("up to the newest point's slot").isEqualTo(60);
        PartialTable hist = shard.query(queries.get(0));
        assertThat(hist.cell(List.of("h0"), 0, 2).histogram())
                .as("histogram part travels")
                .isNotNull();
    }

    /**
     * A caller in this JVM (standalone's broker) takes the table the stream would carry: the same cells and window,
     * the request's group limit applied, and the same status when the query fails.
     */
    @Test
    void aLeafQueryInThisJvmAnswersWhatTheStreamCarries() {
        fx.stub.write(WriteRequest.newBuilder()
                .setShard(ShardRefCodec.encode(SHARD0, EPOCH))
                .setBatch(PointBatchCodec.encode(batch()))
                .build());
        LocalLeafQuery local = LocalServers.leafQuery("127.0.0.1:" + fx.server.port());
        assertThat(local).as("registered while the server runs").isNotNull();
        LeafQuery q = new LeafQuery(
                "cpu", TagPredicate.all(), T0, T0 + 600_000, 60_000, List.of("host", "region"), List.of("usage"));
        for (int limit : new int[] {0, 2}) {
            LeafQueryRequest request = LeafQueryCodec.encode(q)
                    .setShard(ShardRefCodec.encode(SHARD0, 0))
                    .setGroupLimit(limit)
                    .build();
            List<LeafResultChunk> chunks = new ArrayList<>();
            fx.stub.leafQuery(request).forEachRemaining(chunks::add);
            PartialTable wire = PartialTableCodec.decode(chunks);
            PartialTable table = local.run(request, () -> false);
            assertThat(cells(table))
                    .as("group limit %d", limit)
                    .isEqualTo(cells(wire))
                    .hasSize(limit == 0 ? 6 : 2);
            assertThat(table.startMs()).isEqualTo(wire.startMs());
            assertThat(table.buckets()).isEqualTo(wire.buckets()).isEqualTo(10);
        }
        LeafQueryRequest elsewhere = LeafQueryCodec.encode(q)
                .setShard(ShardRef.newBuilder().setDatabase("nope").setShard(0))
                .build();
        StatusRuntimeException streamed = catchThrowableOfType(
                StatusRuntimeException.class, () -> fx.stub.leafQuery(elsewhere).forEachRemaining(c -> {}));
        StatusRuntimeException called =
                catchThrowableOfType(StatusRuntimeException.class, () -> local.run(elsewhere, () -> false));
        assertThat(called.getStatus().getCode()).isEqualTo(streamed.getStatus().getCode());
        assertThat(called.getStatus().getDescription())
                .isEqualTo(streamed.getStatus().getDescription())
                .contains("[database=nope, shard=0]");
        assertThat(RpcErrors.errorCode(called.getTrailers())).isEqualTo(RpcErrors.errorCode(streamed.getTrailers()));
        fx.server.close();
        assertThat(LocalServers.leafQuery("127.0.0.1:" + fx.server.port()))
                .as("withdrawn when the server closes")
                .isNull();
    }

    @Test
    void aLargeResultStreamsInManySmallChunks() {
        List<WriteBatch.SeriesRows> rows = new ArrayList<>();
        for (int h = 0; h < 2000; h++) {
            rows.add(new WriteBatch.SeriesRows(
                    SeriesKey.of("disk", "host", "h" + h), List.of("used"), new long[] {T0, T0 + 60_000}, new double[] {
                        h, h + 1
                    }));
        }
        var ref = ShardRefCodec.encode(StorageServerFixture.SHARD1, EPOCH);
        fx.stub.write(WriteRequest.newBuilder()
                .setShard(ref)
                .setBatch(PointBatchCodec.encode(WriteBatch.of(rows)))
                .build());
        LeafQuery q =
                new LeafQuery("disk", TagPredicate.all(), T0, T0 + 120_000, 60_000, List.of("host"), List.of("used"));
        List<LeafResultChunk> chunks = new ArrayList<>();
        fx.stub
                .leafQuery(LeafQueryCodec.encode(q)
                        .setShard(ref)
                        .setMaxCellsPerChunk(3)
                        .build())
                .forEachRemaining(chunks::add);
        assertThat(chunks).hasSize(2000 * 2 / 3 + 1);
        assertThat(cells(PartialTableCodec.decode(chunks)))
                .isEqualTo(cells(
                        fx.registry.replica(StorageServerFixture.SHARD1).shard().query(q)))
                .hasSize(2000);
    }

    @Test
    void anEmptyResultIsOneChunkWithTheHeader() {
        LeafQueryRequest request = LeafQueryCodec.encode(
                        new LeafQuery("mem", TagPredicate.all(), T0, T0 + 60_000, 0, List.of(), List.of("free")))
                .setShard(ShardRefCodec.encode(SHARD0, 0))
                .build();
        List<LeafResultChunk> chunks = new ArrayList<>();
        fx.stub.leafQuery(request).forEachRemaining(chunks::add);
        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).getHeader().getFieldsList()).containsExactly("free");
        assertThat(PartialTableCodec.decode(chunks).cells()).isEmpty();
    }

    @Test
    void flushWritesTheMemtableAsPartsAndQueriesAnswerTheSame() {
        WriteBatch batch = batch();
        fx.stub.write(WriteRequest.newBuilder()
                .setShard(ShardRefCodec.encode(SHARD0, EPOCH))
                .setBatch(PointBatchCodec.encode(batch))
                .build());
        Shard shard = fx.registry.replica(SHARD0).shard();
        LeafQuery q = new LeafQuery(
                "cpu", TagPredicate.all(), T0, T0 + 600_000, 60_000, List.of("host"), List.of("usage", "requests"));
        Map<List<String>, List<AggState>> before = cells(shard.query(q));
        long memtablePoints = shard.stats().memtablePoints();
        assertThat(memtablePoints).isPositive();
        assertThat(shard.stats().parts()).isZero();

        FlushResponse flushed = fx.stub.flush(FlushRequest.newBuilder()
                .setShard(ShardRefCodec.encode(SHARD0, 0))
                .build());

        assertThat(flushed.getPoints()).isEqualTo(memtablePoints);
        assertThat(shard.stats().memtablePoints()).isZero();
        assertThat(shard.stats().parts()).isPositive();
        assertThat(cells(shard.query(q))).isEqualTo(before).isNotEmpty();
        assertThat(fx.stub
                        .flush(FlushRequest.newBuilder()
                                .setShard(ShardRefCodec.encode(SHARD0, 0))
                                .build())
                        .getPoints())
                .as("nothing left to flush")
                .isZero();
        assertThatThrownBy(() -> fx.stub.flush(FlushRequest.newBuilder()
                        .setShard(io.meridian.common.rpc.storage.v1.ShardRef.newBuilder()
                                .setDatabase("nosuch")
                                .setShard(0))
                        .build()))
                .as("a replica this node does not serve: the broker reads its routing again, as for any call")
                .isInstanceOfSatisfying(
                        io.grpc.StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.ABORTED))
                .hasMessageContaining("cannot flush [database=nosuch, shard=0]");
    }

    @Test
    void metadataAndHealthDescribeTheShard() {
        fx.stub.write(WriteRequest.newBuilder()
                .setShard(ShardRefCodec.encode(SHARD0, EPOCH))
                .setBatch(PointBatchCodec.encode(batch()))
                .build());
        var ref = ShardRefCodec.encode(SHARD0, 0);
        assertThat(fx.stub
                        .listMetrics(
                                ListMetricsRequest.newBuilder().setShard(ref).build())
                        .getMetricsList())
                .containsExactly("cpu");
        assertThat(fx.stub
                        .listFields(ListFieldsRequest.newBuilder()
                                .setShard(ref)
                                .setMetric("cpu")
                                .build())
                        .getFieldsList())
                .extracting(FieldInfo::getName)
                .containsExactlyInAnyOrder("usage", "requests", "latency");
        assertThat(fx.stub
                        .listFields(ListFieldsRequest.newBuilder()
                                .setShard(ref)
                                .setMetric("cpu")
                                .build())
                        .getFieldsList())
                .extracting(FieldInfo::getType)
                .containsOnly(WireEnums.toWire(FieldType.GAUGE));
        List<LeafResultChunk> limited = new ArrayList<>();
        fx.stub
                .leafQuery(LeafQueryCodec.encode(new LeafQuery(
                                "cpu", TagPredicate.all(), T0, T0 + 3_600_000, 0, List.of("host"), List.of("usage")))
                        .setShard(ref)
                        .setGroupLimit(2)
                        .build())
                .forEachRemaining(limited::add);
        assertThat(limited.stream()
                        .flatMap(c -> c.getGroupsList().stream())
                        .map(g -> g.getGroupValues(0))
                        .toList())
                .as("group_limit: the first groups in order")
                .containsExactly("h0", "h1");
        assertThat(fx.stub
                        .listFields(ListFieldsRequest.newBuilder()
                                .setShard(ref)
                                .setMetric("cpu")
                                .build())
                        .getTagKeysList())
                .as("the metric's tag keys, sorted")
                .containsExactly("host", "region");
        assertThat(fx.stub
                        .listFields(ListFieldsRequest.newBuilder()
                                .setShard(ref)
                                .setMetric("nosuch")
                                .build())
                        .getTagKeysList())
                .isEmpty();
        assertThat(fx.stub
                        .listTagValues(ListTagValuesRequest.newBuilder()
                                .setShard(ref)
                                .setMetric("cpu")
                                .setTagKey("host")
                                .build())
                        .getValuesList())
                .containsExactly("h0", "h1", "h2");
        HealthResponse health = fx.stub.health(HealthRequest.getDefaultInstance());
        assertThat(health.getServing()).isTrue();
        assertThat(health.getProtocolRevision()).isEqualTo(StorageRpc.PROTOCOL_REVISION);
        assertThat(health.getReplicasList()).hasSize(2);
        assertThat(health.getReplicas(0).getSeries()).isEqualTo(6);
        assertThat(health.getReplicas(0).getEpoch()).isEqualTo(EPOCH);
        assertThat(health.getReplicas(1).getSeries()).isZero();
    }
}
