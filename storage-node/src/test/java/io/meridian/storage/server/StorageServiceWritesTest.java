package io.meridian.storage.server;

import static io.meridian.storage.server.StorageServerFixture.EPOCH;
import static io.meridian.storage.server.StorageServerFixture.SHARD0;
import static io.meridian.storage.server.StorageServerFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.storage.v1.AbortRequest;
import io.meridian.common.rpc.storage.v1.CommitRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.StageRequest;
import io.meridian.common.rpc.storage.v1.WriteOutcome;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** At-most-once writes per (writer, sequence) and two-phase writes, over a real gRPC connection. */
class StorageServiceWritesTest extends ServerTestBase {
    static PointBatch requests(double v) {
        return PointBatchCodec.encode(WriteBatch.builder()
                .point(SeriesKey.of("http", "host", "a"), T0, "requests", v)
                .build());
    }

    /** The sum of "requests" over the day, read over the wire. */
    double sumOverTheWire() {
        List<LeafResultChunk> chunks = new ArrayList<>();
        fx.stub
                .leafQuery(LeafQueryCodec.encode(new LeafQuery(
                                "http", TagPredicate.all(), T0, T0 + 86_400_000L, 0, List.of(), List.of("requests")))
                        .setShard(ShardRefCodec.encode(SHARD0, 0))
                        .build())
                .forEachRemaining(chunks::add);
        AggState s = PartialTableCodec.decode(chunks).cell(List.of(), 0, 0);
        return s == null ? 0 : s.sum();
    }

    WriteOutcome write(String writer, long sequence, double v) {
        return fx.stub
                .write(WriteRequest.newBuilder()
                        .setShard(ShardRefCodec.encode(SHARD0, EPOCH))
                        .setBatch(requests(v))
                        .setWriterId(writer)
                        .setSequence(sequence)
                        .build())
                .getOutcome();
    }

    @Test
    void aRetriedBatchIsAppliedOncePerWriterAndSequence() {
        assertThat(write("sink-0", 1, 5)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        assertThat(write("sink-0", 1, 5)).as("retry").isEqualTo(WriteOutcome.WRITE_OUTCOME_DUPLICATE);
        assertThat(write("sink-0", 2, 7)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        assertThat(write("sink-0", 1, 5)).as("late retry").isEqualTo(WriteOutcome.WRITE_OUTCOME_DUPLICATE);
        assertThat(write("sink-1", 1, 100)).as("another writer").isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        assertThat(write("", 0, 1)).as("anonymous").isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        assertThat(write("", 0, 1)).as("anonymous, not de-duplicated").isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        assertThat(sumOverTheWire()).isEqualTo(5 + 7 + 100 + 1 + 1);
    }

    @Test
    void stagedPointsAppearOnCommitOnceAndVanishOnAbort() {
        var ref = ShardRefCodec.encode(SHARD0, EPOCH);
        assertThat(fx.stub
                        .stage(StageRequest.newBuilder()
                                .setShard(ref)
                                .setWriterId("job-0")
                                .setTransactionId(1)
                                .setBatch(requests(3))
                                .build())
                        .getOutcome())
                .isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        fx.stub.stage(StageRequest.newBuilder()
                .setShard(ref)
                .setWriterId("job-0")
                .setTransactionId(1)
                .setBatch(requests(4))
                .build());
        fx.stub.stage(StageRequest.newBuilder()
                .setShard(ref)
                .setWriterId("job-1")
                .setTransactionId(1)
                .setBatch(requests(1000))
                .build());
        assertThat(sumOverTheWire()).as("staged points are invisible").isZero();

        CommitRequest commit = CommitRequest.newBuilder()
                .setShard(ref)
                .setWriterId("job-0")
                .setTransactionId(1)
                .build();
        assertThat(fx.stub.commit(commit).getOutcome()).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        assertThat(sumOverTheWire()).isEqualTo(7);
        assertThat(fx.stub.commit(commit).getOutcome())
                .as("retried commit")
                .isEqualTo(WriteOutcome.WRITE_OUTCOME_DUPLICATE);

        fx.stub.abort(AbortRequest.newBuilder()
                .setShard(ref)
                .setWriterId("job-1")
                .setTransactionId(1)
                .build());
        assertThat(fx.registry.replica(SHARD0).shard().pendingTransactions()).isZero();
        fx.stub.commit(CommitRequest.newBuilder()
                .setShard(ref)
                .setWriterId("job-1")
                .setTransactionId(1)
                .build());
        assertThat(sumOverTheWire())
                .as("an aborted transaction commits nothing")
                .isEqualTo(7);
    }
}
