package io.meridian.connector.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.ShardUnavailableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.junit.jupiter.api.Test;

/** How a checkpoint's commits are ordered, run and signalled back to Flink (the calls themselves: MeridianSinkIT). */
class MeridianCommitterTest {
    @Test
    void shardsCommitConcurrentlyAndEachShardInTransactionOrder() throws Exception {
        CountDownLatch bothShardsStarted = new CountDownLatch(2);
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        MeridianCommitter.CommitCall call = (db, shard, writer, txn) -> {
            calls.add(shard + ":" + txn);
            bothShardsStarted.countDown();
            try { // a lane that ran alone would wait here until the timeout and fail the test below
                assertThat(bothShardsStarted.await(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        List<Request> requests = List.of(request(0, 3), request(1, 2), request(0, 2), request(1, 3));
        try (MeridianCommitter committer = new MeridianCommitter(call, () -> {})) {
            committer.commit(new ArrayList<>(requests));
        }
        assertThat(calls).containsExactlyInAnyOrder("0:2", "0:3", "1:2", "1:3");
        assertThat(calls.indexOf("0:2")).isLessThan(calls.indexOf("0:3"));
        assertThat(calls.indexOf("1:2")).isLessThan(calls.indexOf("1:3"));
        assertThat(requests).allSatisfy(r -> assertThat(r.failure).isNull());
    }

    @Test
    void aFailedCommitFailsItsShardsLaterTransactionsOnly() throws Exception {
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        MeridianCommitter.CommitCall call = (db, shard, writer, txn) -> {
            calls.add(shard + ":" + txn);
            if (shard == 0 && txn == 2) {
                throw new ShardUnavailableException("no leader [db=m, shard=0]", null);
            }
            if (shard == 2) {
                throw new InvalidInputException("database m was dropped");
            }
        };
        Request failed = request(0, 2);
        Request after = request(0, 3);
        Request otherShard = request(1, 2);
        Request knownFailure = request(2, 2);
        try (MeridianCommitter committer = new MeridianCommitter(call, () -> {})) {
            committer.commit(new ArrayList<>(List.of(after, failed, otherShard, knownFailure)));
        }
        assertThat(calls).containsExactlyInAnyOrder("0:2", "1:2", "2:2"); // 0:3 is not tried after 0:2 failed
        assertThat(failed.failure).isInstanceOf(ShardUnavailableException.class);
        assertThat(failed.known).isFalse(); // retriable: Flink restarts the job and commits the checkpoint again
        assertThat(after.failure)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("an earlier commit failed [db=m, shard=0, transaction=3]");
        assertThat(otherShard.failure).isNull();
        assertThat(knownFailure.failure).isInstanceOf(InvalidInputException.class);
        assertThat(knownFailure.known).isTrue();
    }

    @Test
    void closingClosesTheRpcResources() throws Exception {
        boolean[] closed = {false};
        new MeridianCommitter((db, shard, writer, txn) -> {}, () -> closed[0] = true).close();
        assertThat(closed[0]).isTrue();
    }

    private static Request request(int shard, long txn) {
        return new Request(new ShardCommittable("m", shard, "w-1", txn, 10));
    }

    /** A commit request as Flink's committer operator hands it over, recording how it was signalled. */
    private static final class Request implements CommitRequest<ShardCommittable> {
        private final ShardCommittable committable;
        private Throwable failure;
        private boolean known;

        Request(ShardCommittable committable) {
            this.committable = committable;
        }

        @Override
        public ShardCommittable getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            failure = t;
            known = true;
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            failure = t;
        }

        @Override
        public void retryLater() {
            throw new AssertionError("the committer retries itself");
        }

        @Override
        public void updateAndRetryLater(ShardCommittable committable) {
            throw new AssertionError("the committer retries itself");
        }

        @Override
        public void signalAlreadyCommitted() {
            throw new AssertionError("a duplicate commit is a success");
        }
    }
}
