package io.meridian.storage.replication;

import static io.meridian.storage.replication.ReplicaNode.SHARD;
import static io.meridian.storage.replication.ReplicaNode.T0;
import static io.meridian.storage.replication.ReplicaNode.assignment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.NotLeaderException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.storage.v1.CommitRequest;
import io.meridian.common.rpc.storage.v1.FetchRequest;
import io.meridian.common.rpc.storage.v1.SnapshotChunk;
import io.meridian.common.rpc.storage.v1.SnapshotRequest;
import io.meridian.common.rpc.storage.v1.StageRequest;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.common.rpc.storage.v1.WriteOutcome;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.file.DiskSpace;
import io.meridian.storage.file.FaultyFileIo;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.log.RecordFileFormat;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.server.PointBatchCodec;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRefCodec;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leader -> follower replication of one shard between three real gRPC servers in this JVM, driven by
 * assignments as the master would hand them out: catch-up, write concerns, fencing of a stale leader and
 * truncation of its unacknowledged tail, and de-duplication of a writer's retries across a failover.
 */
class ReplicationTest {
    static final ReplicationOptions FAST = new ReplicationOptions(
            1 << 20, Duration.ofMillis(200), Duration.ofMillis(800), Duration.ofSeconds(2), 10_000, 1L << 30);

    @TempDir
    Path tmp;

    final List<ReplicaNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (ReplicaNode n : nodes) {
            n.close();
        }
    }

    ReplicaNode node(String id) {
        ReplicaNode n = new ReplicaNode(id, tmp.resolve(id), FAST, 0);
        nodes.add(n);
        return n;
    }

    ReplicaNode restart(ReplicaNode old) throws InterruptedException {
        old.close();
        nodes.remove(old);
        return node(old.id);
    }

    static void assign(ReplicaAssignment a, ReplicaNode... to) {
        for (ReplicaNode n : to) {
            n.controller.reconcile(List.of(a));
        }
    }

    static WriteOutcome write(ReplicaNode leader, long epoch, String writer, long seq, double requests) {
        WriteBatch b = WriteBatch.builder()
                .point(SeriesKey.of("http", "host", "h" + (seq % 3)), T0 + seq * 10_000, "requests", requests)
                .build();
        return leader.stub()
                .write(WriteRequest.newBuilder()
                        .setShard(ShardRefCodec.encode(SHARD, epoch))
                        .setBatch(PointBatchCodec.encode(b))
                        .setWriterId(writer)
                        .setSequence(seq)
                        .build())
                .getOutcome();
    }

    /** Writes a point of another metric; true once the node takes writes at {@code epoch}. */
    static boolean probe(ReplicaNode n, long epoch) {
        WriteBatch b = WriteBatch.builder()
                .point(SeriesKey.of("probe", "host", "p"), T0, "up", 1)
                .build();
        try {
            n.stub()
                    .write(WriteRequest.newBuilder()
                            .setShard(ShardRefCodec.encode(SHARD, epoch))
                            .setBatch(PointBatchCodec.encode(b))
                            .build());
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    static AggState sum(ReplicaNode n) {
        PartialTable r = n.registry
                .replica(SHARD)
                .shard()
                .query(new LeafQuery(
                        "http", TagPredicate.all(), T0, T0 + 86_400_000L, 0, List.of(), List.of("requests")));
        AggState s = r.cell(List.of(), 0, 0);
        return s == null ? AggState.empty() : s;
    }

    static ErrorCode codeOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return RpcErrors.fromStatus(e).code();
        }
        throw new AssertionError("expected the call to fail");
    }

    static void awaitCaughtUp(ReplicaNode leader, ReplicaNode... followers) {
        // a follower's replica is briefly not served while it is truncated or re-synced
        await().atMost(Duration.ofSeconds(20))
                .ignoreException(NotLeaderException.class)
                .untilAsserted(() -> {
                    for (ReplicaNode f : followers) {
                        assertThat(f.lastLsn()).as("lsn of " + f.id).isEqualTo(leader.lastLsn());
                    }
                });
    }

    @Test
    void followersHoldEveryOpAndAnswerLikeTheLeader() {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        ReplicaNode c = node("c");
        ReplicaAssignment e1 = assignment(1, a, WriteConcern.MAJORITY, a, b, c);
        assign(e1, a, b, c);
        for (long seq = 1; seq <= 30; seq++) {
            assertThat(write(a, 1, "w", seq, seq)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        }
        var ref = ShardRefCodec.encode(SHARD, 1);
        a.stub()
                .stage(StageRequest.newBuilder()
                        .setShard(ref)
                        .setWriterId("job")
                        .setTransactionId(1)
                        .setBatch(PointBatchCodec.encode(WriteBatch.builder()
                                .point(SeriesKey.of("http", "host", "h9"), T0, "requests", 1000)
                                .build()))
                        .build());
        a.stub()
                .commit(CommitRequest.newBuilder()
                        .setShard(ref)
                        .setWriterId("job")
                        .setTransactionId(1)
                        .build());
        awaitCaughtUp(a, b, c);
        AggState expected = sum(a);
        assertThat(expected.sum()).isEqualTo(30 * 31 / 2 + 1000);
        assertThat(expected.count()).isEqualTo(31);
        for (ReplicaNode f : List.of(b, c)) {
            assertThat(sum(f)).as("follower " + f.id).isEqualTo(expected);
            assertThat(f.registry.replica(SHARD).shard().writerSequence("w")).isEqualTo(30);
        }
        assertThat(codeOf(() -> write(b, 1, "w", 31, 1)))
                .as("a follower refuses writes")
                .isEqualTo(ErrorCode.NOT_LEADER);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.meters
                            .get("meridian.storage.replication.commit.lsn")
                            .gauge()
                            .value())
                    .isEqualTo(a.lastLsn());
            assertThat(a.meters
                            .get("meridian.storage.replication.follower.lag.ops")
                            .tag("follower", "c")
                            .gauge()
                            .value())
                    .isZero();
            assertThat(a.meters
                            .get("meridian.storage.replication.in.sync")
                            .gauge()
                            .value())
                    .isEqualTo(3);
        });
    }

    @Test
    void aRestartedFollowerCatchesUpAcrossTheLeadersFlush() throws InterruptedException {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        ReplicaNode c = node("c");
        assign(assignment(1, a, WriteConcern.MAJORITY, a, b, c), a, b, c);
        for (long seq = 1; seq <= 10; seq++) {
            write(a, 1, "w", seq, 1);
        }
        awaitCaughtUp(a, b, c);
        c.close();
        nodes.remove(c);
        for (long seq = 11; seq <= 20; seq++) {
            assertThat(write(a, 1, "w", seq, 1))
                    .as("a majority is still there")
                    .isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        }
        a.registry.replica(SHARD).shard().flush();
        ReplicaNode c2 = node("c");
        assign(assignment(1, a, WriteConcern.MAJORITY, a, b, c2), a, b, c2);
        awaitCaughtUp(a, b, c2);
        assertThat(sum(c2).sum()).isEqualTo(20);
    }

    @Test
    void writeConcernAllStopsWaitingForAFollowerThatLeftTheInSyncView() throws InterruptedException {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        ReplicaNode c = node("c");
        assign(assignment(1, a, WriteConcern.ALL, a, b, c), a, b, c);
        assertThat(write(a, 1, "w", 1, 1)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        awaitCaughtUp(a, b, c);
        c.close();
        nodes.remove(c);
        // c stops fetching: after lag-max it leaves the view and writes are acknowledged by a and b
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(write(a, 1, "w", 2, 1))
                        .isIn(WriteOutcome.WRITE_OUTCOME_APPLIED, WriteOutcome.WRITE_OUTCOME_DUPLICATE));
        assertThat(b.lastLsn()).isEqualTo(a.lastLsn());
        assertThat(sum(b).sum()).isEqualTo(2);
    }

    @Test
    void aFollowerPastItsDiskWatermarkPausesItsFetchesAndCatchesUpWhenSpaceReturns() {
        AtomicLong free = new AtomicLong(1L << 30);
        DiskSpace disk = new DiskSpace("b", tmp.resolve("b"), 10L << 30, free::get, 0.01, 200L << 20);
        ReplicaNode a = node("a");
        ReplicaNode b = new ReplicaNode("b", tmp.resolve("b"), FAST, 0, disk);
        nodes.add(b);
        assign(assignment(1, a, WriteConcern.LEADER, a, b), a, b);
        for (long seq = 1; seq <= 5; seq++) {
            assertThat(write(a, 1, "w", seq, 1)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        }
        awaitCaughtUp(a, b);
        long held = b.lastLsn();

        free.set(100L << 20); // below the 200 MiB watermark: the follower's next fetch stops short of the leader
        await().atMost(Duration.ofSeconds(20)).until(() -> disk.refusedWrites() > 0);
        long refused = disk.refusedWrites();
        for (long seq = 6; seq <= 10; seq++) {
            assertThat(write(a, 1, "w", seq, 1)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> disk.refusedWrites() > refused + 1);
        assertThat(b.lastLsn())
                .as("nothing fetched while the disk is past its watermark")
                .isEqualTo(held);
        assertThat(a.lastLsn()).isGreaterThan(held);

        free.set(1L << 30); // space returns: the follower fetches again by itself, without a restart
        awaitCaughtUp(a, b);
        assertThat(sum(b).sum()).isEqualTo(10).isEqualTo(sum(a).sum());
    }

    @Test
    void aStaleLeaderIsFencedAndTruncatesItsUnacknowledgedTail() {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        ReplicaNode c = node("c");
        assign(assignment(1, a, WriteConcern.MAJORITY, a, b, c), a, b, c);
        for (long seq = 1; seq <= 10; seq++) {
            write(a, 1, "w", seq, seq);
        }
        awaitCaughtUp(a, b, c);
        // the master moves leadership to b at epoch 2; a has not heard of it yet
        ReplicaAssignment e2 = assignment(2, b, WriteConcern.MAJORITY, a, b, c);
        assign(e2, b, c);
        // once b took over (after reading what its peers had), a stale write on a can no longer reach it
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(probe(b, 2)).isTrue());
        assertThat(codeOf(() -> write(a, 1, "w", 11, 11)))
                .as("no follower of epoch 1 is left to acknowledge")
                .isEqualTo(ErrorCode.NOT_REPLICATED);
        assertThat(a.lastLsn()).as("the stale leader applied it locally").isEqualTo(11);
        assertThat(codeOf(() -> write(b, 1, "w", 11, 11)))
                .as("epoch 1 is fenced on b")
                .isEqualTo(ErrorCode.NOT_LEADER);
        // the writer re-routes and retries the same sequence at the new leader
        assertThat(write(b, 2, "w", 11, 11)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        assertThat(write(b, 2, "w", 12, 12)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        assign(e2, a);
        awaitCaughtUp(b, a, c);
        AggState expected = sum(b);
        assertThat(expected.sum()).isEqualTo(12 * 13 / 2);
        assertThat(expected.count()).isEqualTo(12);
        assertThat(sum(a)).as("a dropped its own op 11 and took b's").isEqualTo(expected);
        assertThat(a.meters
                        .get("meridian.storage.replication.truncations")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(a.meters
                        .get("meridian.storage.replication.not.replicated")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(sum(c)).isEqualTo(expected);
        assertThat(a.registry.replica(SHARD).shard().lastEpoch()).isEqualTo(2);
    }

    @Test
    void aFollowerWhosePartsHoldOpsPastTheDivergencePointIsResyncedInsteadOfTruncated() throws InterruptedException {
        AtomicLong free = new AtomicLong(1L << 30);
        DiskSpace disk = new DiskSpace("b", tmp.resolve("b"), 10L << 30, free::get, 0.01, 200L << 20);
        ReplicaNode a = node("a");
        ReplicaNode b = new ReplicaNode("b", tmp.resolve("b"), FAST, 0, disk);
        nodes.add(b);
        // LEADER concern: a acknowledges (and may flush) ops its follower does not have yet
        assign(assignment(1, a, WriteConcern.LEADER, a, b), a, b);
        for (long seq = 1; seq <= 5; seq++) {
            assertThat(write(a, 1, "w", seq, seq)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        }
        awaitCaughtUp(a, b);
        free.set(100L << 20); // b stops fetching at op 5
        await().atMost(Duration.ofSeconds(20)).until(() -> disk.refusedWrites() > 0);
        for (long seq = 6; seq <= 10; seq++) {
            assertThat(write(a, 1, "w", seq, seq)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        }
        a.registry.replica(SHARD).shard().flush();
        long flushedOnA = a.lastLsn();
        assertThat(flushedOnA).isGreaterThan(b.lastLsn());
        a.close(); // a is down while the master moves leadership to the lagging b
        nodes.remove(a);
        free.set(1L << 30);
        ReplicaAssignment e2 = assignment(2, b, WriteConcern.LEADER, b);
        assign(e2, b);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(probe(b, 2)).isTrue());
        assertThat(write(b, 2, "w2", 1, 100)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);

        // a comes back as b's follower: its log diverged after op 5, but its parts hold ops up to 10
        ReplicaNode a2 = node("a");
        assign(assignment(3, b, WriteConcern.LEADER, a2, b), b, a2);
        awaitCaughtUp(b, a2);
        assertThat(sum(a2)).as("a2 holds exactly the new leader's ops").isEqualTo(sum(b));
        assertThat(sum(b).sum()).isEqualTo(15 + 100);
        assertThat(a2.meters
                        .get("meridian.storage.replication.resyncs")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    static WriteBatch partials(long slot, AggState cell) {
        return WriteBatch.ofPartials(List.of(new WriteBatch.SeriesPartials(
                SeriesKey.of("http", "host", "h0"),
                List.of("requests"),
                List.of(FieldType.GAUGE),
                10_000,
                new long[] {slot},
                new AggState[] {cell})));
    }

    @Test
    void partialAggregatesReplicateWrittenAndStagedAndAreRefusedToAnOlderFollower() {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        assign(assignment(1, a, WriteConcern.MAJORITY, a, b), a, b);
        AggState three = AggState.of(T0 + 1, 1).add(T0 + 2, 2).add(T0 + 3, 3);
        AggState two = AggState.of(T0 + 10_001, 10).add(T0 + 10_002, 20);
        var ref = ShardRefCodec.encode(SHARD, 1);
        assertThat(a.stub()
                        .write(WriteRequest.newBuilder()
                                .setShard(ref)
                                .setBatch(PointBatchCodec.encode(partials(T0, three)))
                                .setWriterId("w")
                                .setSequence(1)
                                .build())
                        .getCells())
                .isEqualTo(1);
        a.stub()
                .stage(StageRequest.newBuilder()
                        .setShard(ref)
                        .setWriterId("job")
                        .setTransactionId(1)
                        .setBatch(PointBatchCodec.encode(partials(T0 + 10_000, two)))
                        .build());
        a.stub()
                .commit(CommitRequest.newBuilder()
                        .setShard(ref)
                        .setWriterId("job")
                        .setTransactionId(1)
                        .build());
        awaitCaughtUp(a, b);
        assertThat(sum(a).count()).isEqualTo(5);
        assertThat(sum(a).sum()).isEqualTo(36);
        assertThat(sum(b)).as("the follower applied both partial ops").isEqualTo(sum(a));

        // a follower of revision 5 (no protocol_revision in its fetch) would skip the partials: refused instead
        FetchRequest old = FetchRequest.newBuilder()
                .setShard(ref)
                .setFollowerId("b")
                .setFromLsn(1)
                .build();
        assertThatThrownBy(() -> a.stub().fetch(old)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(RpcErrors.fromStatus(e).code()).isEqualTo(ErrorCode.FORMAT_VERSION);
            assertThat(e.getMessage()).contains("follower=b", "lsn=1", "revision=0");
        });
    }

    @Test
    void aNewLeaderFirstReadsAcknowledgedOpsItLacksFromAPeer() throws InterruptedException {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        ReplicaNode c = node("c");
        assign(assignment(1, a, WriteConcern.MAJORITY, a, b, c), a, b, c);
        write(a, 1, "w", 1, 1);
        awaitCaughtUp(a, b, c);
        b.close();
        nodes.remove(b);
        for (long seq = 2; seq <= 6; seq++) {
            assertThat(write(a, 1, "w", seq, seq))
                    .as("acknowledged by a and c")
                    .isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        }
        awaitCaughtUp(a, c);
        a.close();
        nodes.remove(a);
        // the master promotes b, whose last report looked as good as c's: b must not lose ops 2..6
        ReplicaNode b2 = node("b");
        assertThat(b2.registry.replicas()).isEmpty();
        ReplicaAssignment e2 = assignment(2, b2, WriteConcern.MAJORITY, b2, c);
        assign(e2, b2, c);
        await().atMost(Duration.ofSeconds(20))
                .ignoreException(StatusRuntimeException.class)
                .untilAsserted(() -> assertThat(write(b2, 2, "w", 7, 7)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED));
        awaitCaughtUp(b2, c);
        assertThat(sum(b2).sum()).isEqualTo(28);
        assertThat(sum(c)).isEqualTo(sum(b2));
    }

    /**
     * a leads a and b at epoch 1 and holds ops 1-20 (value = sequence), then flushes: a replica added later needs a
     * snapshot, its first op being gone from a's WAL.
     */
    private static void writeTwentyAndTrimTheLeadersWal(ReplicaNode a, ReplicaNode b) {
        assign(assignment(1, a, WriteConcern.MAJORITY, a, b), a, b);
        for (long seq = 1; seq <= 20; seq++) {
            write(a, 1, "w", seq, seq);
        }
        awaitCaughtUp(a, b);
        a.registry.replica(SHARD).shard().flush();
    }

    @Test
    void aNewReplicaWhoseOpsLeftTheWalIsRebuiltFromASnapshot() {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        ReplicaNode c = node("c");
        writeTwentyAndTrimTheLeadersWal(a, b);
        for (long seq = 21; seq <= 25; seq++) {
            write(a, 1, "w", seq, seq);
        }
        // the master adds c (a repair): its first op is long gone from a's WAL
        assign(assignment(1, a, WriteConcern.MAJORITY, a, b, c), a, b, c);
        awaitCaughtUp(a, b, c);
        assertThat(c.meters
                        .get("meridian.storage.replication.resyncs")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(sum(c)).isEqualTo(sum(a));
        assertThat(sum(c).sum()).isEqualTo(25 * 26 / 2);
        assertThat(c.registry.replica(SHARD).shard().writerSequence("w"))
                .as("de-duplication state came along")
                .isEqualTo(25);
        assertThat(write(a, 1, "w", 26, 26)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        awaitCaughtUp(a, b, c);
        assertThat(sum(c).sum()).isEqualTo(26 * 27 / 2);
    }

    @Test
    void aDamagedFollowerIsQuarantinedAndReSyncedFromItsLeader() throws Exception {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        ReplicaNode c = node("c");
        ReplicaAssignment e1 = assignment(1, a, WriteConcern.MAJORITY, a, b, c);
        assign(e1, a, b, c);
        for (long seq = 1; seq <= 20; seq++) {
            write(a, 1, "w", seq, seq);
        }
        awaitCaughtUp(a, b, c);
        c.registry.replica(SHARD).shard().flush();
        Path manifest = c.registry.directory(SHARD).resolve("MANIFEST");
        c.close();
        nodes.remove(c);
        byte[] damaged = Files.readAllBytes(manifest);
        damaged[RecordFileFormat.HEADER_LENGTH + 3] ^= 0x08;
        Files.write(manifest, damaged);
        for (long seq = 21; seq <= 25; seq++) {
            assertThat(write(a, 1, "w", seq, seq)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        }
        ReplicaNode c2 = node("c");
        assign(e1, c2);
        awaitCaughtUp(a, b, c2);
        assertThat(c2.meters
                        .get("meridian.storage.replication.quarantines")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(sum(c2)).isEqualTo(sum(a));
        assertThat(sum(c2).sum()).isEqualTo(25 * 26 / 2);
        Path quarantined;
        try (Stream<Path> dirs = Files.list(c2.dir.resolve("quarantine").resolve("db"))) {
            quarantined = dirs.findFirst().orElseThrow();
        }
        assertThat(quarantined.getFileName().toString()).startsWith("shard-0.");
        assertThat(Files.readAllBytes(quarantined.resolve("MANIFEST")))
                .as("the damaged files are kept as they were")
                .isEqualTo(damaged);
    }

    @Test
    void aFollowerThatStopsReadingASnapshotStallsNeitherFlushesNorTheLeadersHeap() throws Exception {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        ReplicaAssignment e1 = assignment(1, a, WriteConcern.LEADER, a, b);
        assign(e1, a);
        for (long seq = 1; seq <= 200; seq++) {
            write(a, 1, "w", seq, seq);
            if (seq % 50 == 0) {
                a.registry.replica(SHARD).shard().flush(); // several parts: more than the transport buffers
            }
        }
        CountDownLatch firstChunk = new CountDownLatch(1);
        AtomicReference<ClientCallStreamObserver<SnapshotRequest>> call = new AtomicReference<>();
        StorageServiceGrpc.newStub(a.channel)
                .snapshot(
                        SnapshotRequest.newBuilder()
                                .setShard(ShardRefCodec.encode(SHARD, 1))
                                .setFollowerId("b")
                                .build(),
                        new ClientResponseObserver<SnapshotRequest, SnapshotChunk>() {
                            @Override
                            public void beforeStart(ClientCallStreamObserver<SnapshotRequest> requests) {
                                call.set(requests);
                                requests.disableAutoRequestWithInitial(1); // reads one chunk, then never again
                            }

                            @Override
                            public void onNext(SnapshotChunk chunk) {
                                firstChunk.countDown();
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {}
                        });
        assertThat(firstChunk.await(20, TimeUnit.SECONDS))
                .as("the transfer started")
                .isTrue();
        Path pins = a.registry.directory(SHARD).resolve("snapshots");
        assertThat(pins).as("the snapshot is pinned while it is sent").isDirectory();
        // the leader keeps writing and flushing while the follower reads nothing
        for (long seq = 201; seq <= 210; seq++) {
            write(a, 1, "w", seq, seq);
        }
        CompletableFuture.runAsync(() -> a.registry.replica(SHARD).shard().flush())
                .get(10, TimeUnit.SECONDS);
        assertThat(sum(a).sum()).isEqualTo(210 * 211 / 2);
        call.get().cancel("the follower went away", null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (Stream<Path> left = Files.list(pins)) {
                assertThat(left).as("the pin is removed once the transfer ends").isEmpty();
            }
        });
    }

    @Test
    void aSnapshotTheFollowerCannotWriteIsRetriedAndTheFollowerEndsUpExact() {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        ReplicaNode c = node("c");
        writeTwentyAndTrimTheLeadersWal(a, b);
        FaultyFileIo disk =
                new FaultyFileIo().fail(FaultyFileIo.Op.WRITE, ".resync", 0, true, "No space left on device");
        ReplicaAssignment all = assignment(1, a, WriteConcern.MAJORITY, a, b, c);
        assign(all, a, b);
        c.controller.reconcile(List.of(new ReplicaAssignment(
                all.key(),
                all.options().withFiles(disk),
                all.epoch(),
                all.leaderId(),
                all.leaderAddress(),
                all.replicas(),
                all.inSync(),
                all.writeConcern(),
                all.addresses())));
        await().atMost(Duration.ofSeconds(20)).until(() -> disk.injected() >= 2); // the re-sync failed, and again
        for (long seq = 21; seq <= 25; seq++) {
            assertThat(write(a, 1, "w", seq, seq))
                    .as("the majority goes on")
                    .isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        }
        disk.heal();
        awaitCaughtUp(a, b, c);
        assertThat(sum(c)).isEqualTo(sum(a));
        assertThat(sum(c).sum()).isEqualTo(25 * 26 / 2);
    }

    @Test
    void aLeaderTooFarAheadOfItsWriteConcernAnswersBusy() throws InterruptedException {
        ReplicationOptions tight = new ReplicationOptions(
                1 << 20, Duration.ofMillis(200), Duration.ofMillis(800), Duration.ofMillis(300), 2, 1L << 30);
        ReplicaNode a = new ReplicaNode("a", tmp.resolve("a"), tight, 0);
        nodes.add(a);
        ReplicaNode b = node("b");
        ReplicaNode c = node("c");
        assign(assignment(1, a, WriteConcern.MAJORITY, a, b, c), a, b, c);
        assertThat(write(a, 1, "w", 1, 1)).isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
        awaitCaughtUp(a, b, c);
        for (ReplicaNode f : List.of(b, c)) {
            f.close();
            nodes.remove(f);
        }
        List<ErrorCode> codes = new ArrayList<>();
        for (long seq = 2; seq <= 5; seq++) {
            long s = seq;
            codes.add(codeOf(() -> write(a, 1, "w", s, s)));
        }
        assertThat(codes)
                .as("not acknowledged in time, then refused before it takes more")
                .containsExactly(
                        ErrorCode.NOT_REPLICATED, ErrorCode.NOT_REPLICATED, ErrorCode.NOT_REPLICATED, ErrorCode.BUSY);
        assertThat(a.lastLsn()).as("the refused write took nothing").isEqualTo(4);
    }

    @Test
    void fetchesAreFencedAndValidated() {
        ReplicaNode a = node("a");
        ReplicaNode b = node("b");
        assign(assignment(1, a, WriteConcern.MAJORITY, a, b), a, b);
        FetchRequest.Builder ok = FetchRequest.newBuilder()
                .setShard(ShardRefCodec.encode(SHARD, 1))
                .setFollowerId("b")
                .setFromLsn(1);
        assertThat(codeOf(() -> a.stub()
                        .fetch(ok.clone()
                                .setShard(ShardRefCodec.encode(SHARD, 2))
                                .build())))
                .as("another epoch")
                .isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(codeOf(() -> a.stub().fetch(ok.clone().setFollowerId("z").build())))
                .as("not a replica")
                .isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(codeOf(() -> a.stub().fetch(ok.clone().setFromLsn(0).build())))
                .isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(codeOf(() -> a.stub().fetch(ok.clone().setFollowerId("").build())))
                .isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(codeOf(() -> a.stub().fetch(ok.clone().setMaxWaitMs(60_000).build())))
                .isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(codeOf(() -> b.stub().fetch(ok.build()))).as("b follows").isEqualTo(ErrorCode.NOT_LEADER);
        assertThatThrownBy(() -> a.stub()
                        .fetch(ok.clone()
                                .setShard(ShardRefCodec.encode(new ShardKey("nope", 0), 1))
                                .build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("nope");
    }
}
