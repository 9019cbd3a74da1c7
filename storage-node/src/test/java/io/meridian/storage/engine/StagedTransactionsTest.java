package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two-phase writes for exactly-once sinks: staged points are durable but invisible until commit, vanish
 * on abort, survive restarts and flushes while pending, and a retried commit never applies twice.
 */
class StagedTransactionsTest {
    @TempDir
    Path dir;

    final SeriesKey key = SeriesKey.of("cpu", "host", "a");

    private WriteBatch points(double v) {
        return WriteBatch.builder().point(key, T0, "requests", v).build();
    }

    private static double sum(Shard s) {
        AggState st = s.query(new LeafQuery(
                        "cpu", TagPredicate.all(), T0, T0 + 86_400_000L, 0, List.of(), List.of("requests")))
                .cell(List.of(), 0, 0);
        return st == null ? 0 : st.sum();
    }

    @Test
    void stagedPointsBecomeVisibleOnlyOnCommitAndOnlyOnce() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            s.stage("sink-0", 1, points(5));
            s.stage("sink-0", 1, points(2));
            s.stage("sink-1", 1, points(100));
            assertThat(sum(s)).isZero();
            assertThat(s.pendingTransactions()).isEqualTo(2);
            assertThat(s.commit("sink-0", 1)).isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(sum(s)).isEqualTo(7);
            assertThat(s.commit("sink-0", 1)).as("retried commit").isEqualTo(Shard.WriteResult.DUPLICATE);
            assertThat(s.stage("sink-0", 1, points(5)))
                    .as("late stage into a committed transaction")
                    .isEqualTo(Shard.WriteResult.DUPLICATE);
            s.abort("sink-1", 1);
            assertThat(s.pendingTransactions()).isZero();
            assertThat(s.commit("sink-1", 1))
                    .as("commit after abort applies nothing")
                    .isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(sum(s)).isEqualTo(7);
        }
    }

    @Test
    void pendingTransactionsSurviveRestartAndFlush() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            s.write(points(1));
            s.stage("sink-0", 7, points(10));
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(s.pendingTransactions())
                    .as("staged state replayed from the WAL")
                    .isEqualTo(1);
            assertThat(sum(s)).isEqualTo(1);
            s.flush();
            assertThat(s.pendingTransactions()).isEqualTo(1);
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(s.pendingTransactions())
                    .as("staged state re-logged across the WAL trim")
                    .isEqualTo(1);
            assertThat(s.commit("sink-0", 7)).isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(sum(s)).isEqualTo(11);
            s.flush();
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(s.commit("sink-0", 7))
                    .as("committed id kept in the MANIFEST")
                    .isEqualTo(Shard.WriteResult.DUPLICATE);
            assertThat(sum(s)).isEqualTo(11);
            assertThat(s.pendingTransactions()).isZero();
        }
    }

    @Test
    void aCommitReplayedFromTheWalIsAppliedOnce() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            s.stage("sink-0", 1, points(3));
            s.commit("sink-0", 1);
            s.stage("sink-0", 2, points(4));
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(sum(s)).isEqualTo(3);
            assertThat(s.commit("sink-0", 1)).isEqualTo(Shard.WriteResult.DUPLICATE);
            assertThat(s.commit("sink-0", 2)).isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(sum(s)).isEqualTo(7);
        }
    }

    @Test
    void aCommitDropsTheWritersLowerTransactionsThatCanNeverCommit() {
        try (Shard s = Shard.open(dir, TestShards.options())) {
            s.stage("sink-0", 3, points(1000)); // a failed attempt's leftover
            s.stage("sink-1", 3, points(50)); // another writer: untouched
            s.stage("sink-0", 5, points(2));
            s.commit("sink-0", 5);
            assertThat(s.pendingTransactions()).isEqualTo(1);
            assertThat(sum(s)).isEqualTo(2);
            assertThat(s.commit("sink-0", 3)).as("lower than the last commit").isEqualTo(Shard.WriteResult.DUPLICATE);
            assertThat(sum(s)).isEqualTo(2);
        }
        try (Shard s = Shard.open(dir, TestShards.options())) {
            assertThat(s.pendingTransactions())
                    .as("the same drop on WAL replay")
                    .isEqualTo(1);
            assertThat(s.commit("sink-1", 3)).isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(sum(s)).isEqualTo(52);
        }
    }

    /** A clock tests move forward. */
    private static final class SteppingClock extends Clock {
        private final AtomicLong now = new AtomicLong(TestShards.NOW);

        void advance(Duration d) {
            now.addAndGet(d.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    }

    @Test
    void aTransactionItsWriterNeverCommitsIsAbortedAfterTheExpiryAndStaysAbortedAfterARestart() {
        SteppingClock clock = new SteppingClock();
        ShardOptions options = TestShards.options().withClock(clock).withStagedTransactionExpiry(Duration.ofHours(2));
        try (Shard s = Shard.open(dir, options)) {
            s.stage("gone-job", 7, points(5));
            clock.advance(Duration.ofMinutes(90));
            s.stage("live-job", 1, points(1));
            assertThat(s.expireStagedTransactions()).as("not expired yet").isZero();
            clock.advance(Duration.ofMinutes(31));
            assertThat(s.expireStagedTransactions()).isEqualTo(1);
            assertThat(s.pendingTransactions())
                    .as("the live writer's transaction stays")
                    .isEqualTo(1);
            assertThat(s.commit("gone-job", 7))
                    .as("a commit after the expiry applies nothing")
                    .isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(sum(s)).isZero();
            s.flush();
        }
        try (Shard s = Shard.open(dir, options)) {
            assertThat(s.pendingTransactions()).isEqualTo(1);
            assertThat(s.commit("live-job", 1)).isEqualTo(Shard.WriteResult.APPLIED);
            assertThat(sum(s)).isEqualTo(1);
        }
    }
}
