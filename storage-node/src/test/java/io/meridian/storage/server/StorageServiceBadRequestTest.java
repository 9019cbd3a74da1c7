package io.meridian.storage.server;

import static io.meridian.storage.server.StorageServerFixture.EPOCH;
import static io.meridian.storage.server.StorageServerFixture.SHARD0;
import static io.meridian.storage.server.StorageServerFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.NotLeaderException;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.SlotTransform;
import io.meridian.common.rpc.storage.v1.Tag;
import io.meridian.common.rpc.storage.v1.TagFilter;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import org.junit.jupiter.api.Test;

/**
 * Bad requests get INVALID_ARGUMENT / NOT_FOUND / ABORTED with the stable error code in the trailers and a
 * message naming the shard and the place in the request, and change nothing.
 */
class StorageServiceBadRequestTest extends ServerTestBase {
    static SeriesRows.Builder series() {
        return SeriesRows.newBuilder()
                .setMetric("cpu")
                .addTags(Tag.newBuilder().setKey("host").setValue("a"))
                .addFields("usage")
                .addTimestampDeltas(T0)
                .addValues(1.5);
    }

    static WriteRequest.Builder write(ShardRef ref, SeriesRows.Builder... series) {
        PointBatch.Builder b = PointBatch.newBuilder();
        for (SeriesRows.Builder s : series) {
            b.addSeries(s);
        }
        return WriteRequest.newBuilder().setShard(ref).setBatch(b);
    }

    StatusRuntimeException rejectedWrite(WriteRequest request) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> fx.stub.write(request));
        assertThat(e).as("rejected").isNotNull();
        assertThat(fx.registry.replica(SHARD0).shard().stats().series())
                .as("nothing written")
                .isZero();
        assertThat(fx.registry.replica(SHARD0).shard().metrics()).isEmpty();
        return e;
    }

    static void assertError(StatusRuntimeException e, Status.Code status, ErrorCode code, String... messageParts) {
        assertThat(e.getStatus().getCode()).isEqualTo(status);
        assertThat(RpcErrors.errorCode(e.getTrailers())).isEqualTo(code);
        assertThat(e.getStatus().getDescription()).contains(messageParts);
    }

    @Test
    void aDatabaseOrShardThisNodeDoesNotServeIsARetriableRoutingError() {
        assertError(
                rejectedWrite(write(
                                ShardRef.newBuilder()
                                        .setDatabase("nope")
                                        .setShard(0)
                                        .setEpoch(EPOCH)
                                        .build(),
                                series())
                        .build()),
                Status.Code.ABORTED,
                ErrorCode.NOT_LEADER,
                "database is not served",
                "[database=nope]");
        assertError(
                rejectedWrite(write(
                                ShardRef.newBuilder()
                                        .setDatabase("db")
                                        .setShard(7)
                                        .setEpoch(EPOCH)
                                        .build(),
                                series())
                        .build()),
                Status.Code.ABORTED,
                ErrorCode.NOT_LEADER,
                "shard is not served",
                "[database=db, shard=7]");
        StatusRuntimeException e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> fx.stub
                        .leafQuery(LeafQueryRequest.newBuilder()
                                .setShard(
                                        ShardRef.newBuilder().setDatabase("db").setShard(9))
                                .setMetric("cpu")
                                .setFilter(TagFilter.newBuilder().setMatchAll(TagFilter.MatchAll.getDefaultInstance()))
                                .setStartMs(T0)
                                .setEndMs(T0 + 1000)
                                .addFields("usage")
                                .build())
                        .hasNext());
        assertError(e, Status.Code.ABORTED, ErrorCode.NOT_LEADER, "cannot query [database=db, shard=9]");
        assertThat(RpcErrors.fromStatus(e).isRetriable()).isTrue();
    }

    @Test
    void invalidNamesAreInvalidArgumentsNamingTheSeries() {
        assertError(
                rejectedWrite(write(ShardRefCodec.encode(SHARD0, EPOCH), series(), series().setMetric("9cpu"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_NAME,
                "cannot write [database=db, shard=0]",
                "invalid metric name",
                "series[1]");
        assertError(
                rejectedWrite(write(ShardRefCodec.encode(SHARD0, EPOCH), series().setFields(0, "us age"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_NAME,
                "invalid field name",
                "[field=us age]");
        assertError(
                rejectedWrite(write(
                                ShardRefCodec.encode(SHARD0, EPOCH),
                                series().addTags(Tag.newBuilder().setKey("host").setValue("b")))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "duplicate tag key",
                "series[0]");
    }

    @Test
    void infiniteValuesAreRejectedNamingSeriesFieldAndRow() {
        assertError(
                rejectedWrite(write(
                                ShardRefCodec.encode(SHARD0, EPOCH),
                                series(),
                                series().addTimestampDeltas(10_000).addValues(Double.POSITIVE_INFINITY))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "infinite value",
                "field=usage",
                "row=1");
    }

    @Test
    void missingPartsAreInvalidArgumentsNamingTheField() {
        assertError(
                rejectedWrite(WriteRequest.newBuilder()
                        .setBatch(PointBatch.newBuilder().addSeries(series()))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "missing shard [field=shard]");
        assertError(
                rejectedWrite(WriteRequest.newBuilder()
                        .setShard(ShardRefCodec.encode(SHARD0, EPOCH))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "missing batch [field=batch]");
        assertError(
                rejectedWrite(write(ShardRefCodec.encode(SHARD0, EPOCH), series().clearFields())
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "missing fields [series[0], metric=cpu]");
        assertError(
                rejectedWrite(write(ShardRefCodec.encode(SHARD0, EPOCH), series().addValues(2))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "value count mismatch",
                "got 2 values",
                "rows x fields = 1 x 1");
        assertError(
                rejectedWrite(write(ShardRefCodec.encode(SHARD0, EPOCH), series())
                        .setSequence(4)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "sequence without writer id");

        StatusRuntimeException e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> fx.stub
                        .leafQuery(LeafQueryRequest.newBuilder()
                                .setShard(ShardRefCodec.encode(SHARD0, 0))
                                .setMetric("cpu")
                                .setFilter(TagFilter.newBuilder()
                                        .setConjunction(TagFilter.Conjunction.newBuilder()
                                                .addParts(TagFilter.newBuilder()
                                                        .setMatchAll(TagFilter.MatchAll.getDefaultInstance()))
                                                .addParts(TagFilter.getDefaultInstance())))
                                .setStartMs(T0)
                                .setEndMs(T0 + 1000)
                                .addFields("usage")
                                .build())
                        .hasNext());
        assertError(
                e,
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "missing or unknown tag filter kind",
                "path=filter.conjunction.parts[1]");
        e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> fx.stub
                        .leafQuery(LeafQueryRequest.newBuilder()
                                .setShard(ShardRefCodec.encode(SHARD0, 0))
                                .setMetric("cpu")
                                .setStartMs(T0)
                                .setEndMs(T0 + 1000)
                                .addFields("usage")
                                .build())
                        .hasNext());
        assertError(e, Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_INPUT, "missing tag filter [field=filter");
        // revision 5: a transform per field, known to this node, each (field, transform) once
        LeafQueryRequest.Builder q = LeafQueryRequest.newBuilder()
                .setShard(ShardRefCodec.encode(SHARD0, 0))
                .setMetric("cpu")
                .setFilter(TagFilter.newBuilder().setMatchAll(TagFilter.MatchAll.getDefaultInstance()))
                .setStartMs(T0)
                .setEndMs(T0 + 1000)
                .addFields("usage")
                .addFields("usage");
        e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> fx.stub
                        .leafQuery(q.clone()
                                .addTransforms(SlotTransform.SLOT_TRANSFORM_MOMENTS)
                                .build())
                        .hasNext());
        assertError(
                e,
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "invalid transforms [field=transforms",
                "got 1 for 2 fields");
        e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> fx.stub
                        .leafQuery(q.clone()
                                .addTransforms(SlotTransform.SLOT_TRANSFORM_MOMENTS)
                                .addTransformsValue(9)
                                .build())
                        .hasNext());
        assertError(
                e,
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "unknown slot transform [field=transforms[1]]");
        e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> fx.stub
                        .leafQuery(q.clone()
                                .addTransforms(SlotTransform.SLOT_TRANSFORM_MOMENTS)
                                .addTransforms(SlotTransform.SLOT_TRANSFORM_MOMENTS)
                                .build())
                        .hasNext());
        assertError(
                e,
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "duplicate field [metric=cpu, field=usage, " + "transform=moments]");
        e = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> fx.stub.leafQuery(q.clone().build()).hasNext());
        assertError(
                e,
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "duplicate name [field=fields[1], name=usage]");
    }

    @Test
    void aWriteAtAnotherEpochIsFencedAndRetriable() {
        StatusRuntimeException e = rejectedWrite(
                write(ShardRefCodec.encode(SHARD0, EPOCH - 1), series()).build());
        assertError(e, Status.Code.ABORTED, ErrorCode.NOT_LEADER, "shard epoch mismatch", "got 2", "at epoch 3");
        assertThat(e.getTrailers().get(RpcErrors.RETRIABLE_KEY)).isEqualTo("true");
        assertThat(RpcErrors.fromStatus(e)).isInstanceOf(NotLeaderException.class);
        assertError(
                rejectedWrite(write(ShardRefCodec.encode(SHARD0, 0), series()).build()),
                Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_INPUT,
                "missing shard epoch");
    }
}
