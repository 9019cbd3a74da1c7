package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.DAY;
import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.replication.log.LogOp;
import io.meridian.storage.replication.log.ReplicaLogReader;
import io.meridian.storage.replication.log.ReplicaLogTruncator;
import io.meridian.storage.shard.ShardFiles;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import io.meridian.storage.wal.Wal;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL as replica log, without any network: LSNs, their persistence across flushes and restarts, reading
 * the log back (cursor, segment rollover, retention for followers), applying it on another shard, and cutting
 * an uncommitted tail.
 */
class ReplicaLogTest {
    @TempDir
    Path dir;

    static WriteBatch point(String host, long ts, double v) {
        return WriteBatch.builder()
                .point(SeriesKey.of("cpu", "host", host), ts, "usage", v)
                .build();
    }

    static AggState all(Shard s) {
        AggState st = s.query(new LeafQuery("cpu", TagPredicate.all(), T0, T0 + DAY, 0, List.of(), List.of("usage")))
                .cell(List.of(), 0, 0);
        return st == null ? AggState.empty() : st;
    }

    static List<LogOp> readAll(Shard s, long from) {
        List<LogOp> out = new ArrayList<>();
        ReplicaLogReader.Cursor cursor = null;
        while (from <= s.lastLsn()) {
            ReplicaLogReader.Batch b = s.readLog(from, 200, cursor);
            assertThat(b.ops()).as("progress from " + from).isNotEmpty();
            out.addAll(b.ops());
            from = b.ops().get(b.ops().size() - 1).lsn() + 1;
            cursor = b.next();
        }
        return out;
    }

    @Test
    void everyAcceptedOpGetsTheNextLsnAndDuplicatesAndRejectsGetNone() {
        try (Shard s = Shard.open(dir.resolve("a"), TestShards.options())) {
            s.setEpoch(3);
            s.declareField("cpu", "usage", FieldType.SUM);
            s.write(point("a", T0, 1).withWriter("w", 1));
            s.write(point("a", T0, 1).withWriter("w", 1));
            assertThatThrownBy(() -> s.write(point("a", T0 + 100 * DAY, 1))).isInstanceOf(InvalidInputException.class);
            s.stage("job", 1, point("b", T0, 5));
            s.commit("job", 1);
            s.commit("job", 1);
            s.abort("job", 2);
            assertThat(s.lastLsn()).as("declare, write, stage, commit").isEqualTo(4);
            assertThat(s.lastEpoch()).isEqualTo(3);
            List<LogOp> ops = readAll(s, 1);
            assertThat(ops)
                    .extracting(LogOp::kind)
                    .containsExactly(LogOp.Kind.DECLARE, LogOp.Kind.WRITE, LogOp.Kind.STAGE, LogOp.Kind.COMMIT);
            assertThat(ops).extracting(LogOp::lsn).containsExactly(1L, 2L, 3L, 4L);
            assertThat(ops).extracting(LogOp::epoch).containsOnly(3L);
            assertThat(ops.get(1).batch().writerId()).isEqualTo("w");
            assertThat(ops.get(1).batch().series().get(0).key()).isEqualTo(SeriesKey.of("cpu", "host", "a"));
            assertThat(ops.get(0).field().type()).isEqualTo(FieldType.SUM);
        }
    }

    @Test
    void aFollowerShardAppliesTheLogAndEndsUpIdentical() {
        try (Shard leader = Shard.open(dir.resolve("leader"), TestShards.options());
                Shard follower = Shard.open(dir.resolve("follower"), TestShards.options())) {
            leader.declareField("cpu", "usage", FieldType.MAX);
            for (int i = 0; i < 200; i++) {
                leader.write(point("h" + (i % 7), T0 + i * 10_000L, i).withWriter("w", i + 1));
            }
            leader.stage("job", 1, point("z", T0, 1000));
            follower.applyReplicated(readAll(leader, 1));
            assertThat(follower.lastLsn()).isEqualTo(leader.lastLsn());
            assertThat(all(follower)).isEqualTo(all(leader));
            assertThat(follower.fields("cpu").get("usage").type()).isEqualTo(FieldType.MAX);
            assertThat(follower.pendingTransactions()).isEqualTo(1);
            follower.applyReplicated(readAll(leader, 1));
            assertThat(all(follower)).as("re-applied ops are skipped").isEqualTo(all(leader));
            assertThatThrownBy(() -> follower.applyReplicated(
                            List.of(new LogOp(follower.lastLsn() + 2, 1, LogOp.Kind.NOOP, null, null, 0, null))))
                    .hasMessageContaining("gap");
        }
    }

    @Test
    void thePositionSurvivesFlushesAndRestartsAndTheLogRollsOverSegments() {
        ShardOptions small = TestShards.options().withWalSegmentBytes(4096);
        Path d = dir.resolve("s");
        try (Shard s = Shard.open(d, small)) {
            for (int i = 0; i < 100; i++) {
                s.write(point("h" + i, T0 + i, i));
            }
            s.setNeededLsn(() -> 1, Long.MAX_VALUE);
            s.flush();
            for (int i = 100; i < 150; i++) {
                s.write(point("h" + i, T0 + i, i));
            }
        }
        assertThat(Wal.segments(d.resolve(ShardFiles.WAL_DIR)).size())
                .as("several segments, the flushed ones kept for a follower")
                .isGreaterThanOrEqualTo(3);
        try (Shard s = Shard.open(d, small)) {
            assertThat(s.lastLsn()).isEqualTo(150);
            List<LogOp> ops = readAll(s, 1);
            assertThat(ops).hasSize(150);
            assertThat(ops.get(149).batch().series().get(0).values()).containsExactly(149);
            s.flush();
            assertThatThrownBy(() -> s.readLog(1, 1 << 20, null))
                    .as("no follower needs them any more")
                    .isInstanceOf(InvalidInputException.class)
                    .satisfies(
                            e -> assertThat(((InvalidInputException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
                    .hasMessageContaining("full re-sync");
        }
        try (Shard s = Shard.open(d, small)) {
            assertThat(s.lastLsn()).as("from the MANIFEST alone").isEqualTo(150);
            s.write(point("x", T0, 1));
            assertThat(s.lastLsn()).isEqualTo(151);
        }
    }

    @Test
    void anUncommittedTailIsCutBackButFlushedOpsAreNot() {
        Path d = dir.resolve("t");
        try (Shard s = Shard.open(d, TestShards.options())) {
            for (int i = 0; i < 5; i++) {
                s.write(point("a", T0 + i * 10_000L, 1));
            }
            s.flush();
            for (int i = 5; i < 10; i++) {
                s.write(point("b", T0 + i * 10_000L, 10));
            }
        }
        assertThat(ReplicaLogTruncator.canTruncate(d, 4)).isFalse();
        assertThatThrownBy(() -> ReplicaLogTruncator.truncate(d, 4)).hasMessageContaining("full re-sync");
        assertThat(ReplicaLogTruncator.truncate(d, 7)).isEqualTo(3);
        try (Shard s = Shard.open(d, TestShards.options())) {
            assertThat(s.lastLsn()).isEqualTo(7);
            assertThat(all(s).sum()).isEqualTo(5 + 20);
            s.write(point("c", T0, 100));
            assertThat(s.lastLsn()).isEqualTo(8);
        }
    }

    @Test
    void aTornReplicatedRecordIsDroppedWithItsLsn() throws IOException {
        Path d = dir.resolve("torn");
        try (Shard s = Shard.open(d, TestShards.options())) {
            for (int i = 0; i < 3; i++) {
                s.write(point("a", T0 + i * 10_000L, 1));
            }
        }
        Path wal = d.resolve(ShardFiles.WAL_DIR);
        Path last = Wal.segmentPath(wal, Wal.segments(wal).get(0));
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(last) - 3);
        }
        try (Shard s = Shard.open(d, TestShards.options())) {
            assertThat(s.lastLsn()).as("op 3 was torn").isEqualTo(2);
            assertThat(all(s).count()).isEqualTo(2);
        }
    }

    /** Golden WAL segment of replica-log ops (golden/records/v1/replicated.wal): the REPLICATED envelope. */
    @Test
    void replicatedRecordsAreStable() throws IOException {
        Path d = dir.resolve("golden");
        try (Shard s = Shard.open(d, TestShards.options())) {
            s.setEpoch(2);
            s.declareField("cpu", "usage", FieldType.SUM);
            s.write(point("a", T0, 1.5).withWriter("w", 7));
            s.stage("job", 1, point("b", T0, 2));
            s.commit("job", 1);
            s.abort("job", 2);
            s.write(point("a", T0 + 10_000, 3));
        }
        Path segment = d.resolve(ShardFiles.WAL_DIR).resolve("000000000001.wal");
        byte[] bytes = Files.readAllBytes(segment);
        byte[] golden = GoldenRecords.read("replicated.wal", segment);
        assertThat(bytes).isEqualTo(golden);
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy.resolve(ShardFiles.WAL_DIR));
        Files.write(copy.resolve(ShardFiles.WAL_DIR).resolve("000000000001.wal"), golden);
        // definitions also live in series.dict and schema.log; the WAL copies replay them
        try (Shard s = Shard.open(copy, TestShards.options())) {
            assertThat(s.lastLsn()).isEqualTo(5);
            assertThat(s.lastEpoch()).isEqualTo(2);
            assertThat(readAll(s, 1))
                    .extracting(LogOp::kind)
                    .containsExactly(
                            LogOp.Kind.DECLARE,
                            LogOp.Kind.WRITE,
                            LogOp.Kind.STAGE,
                            LogOp.Kind.COMMIT,
                            LogOp.Kind.WRITE);
            assertThat(all(s).sum()).isEqualTo(1.5 + 2 + 3);
        }
    }
}
