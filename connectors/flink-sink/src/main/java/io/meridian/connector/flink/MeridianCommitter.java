package io.meridian.connector.flink;

import io.meridian.common.error.MeridianException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes staged transactions visible once their checkpoint completed: a Commit to the shard's current leader (it
 * holds the staged points: staging is replicated like a write). Committing is idempotent on the storage side (a
 * transaction commits at most once; a repeat answers "duplicate"), so Flink re-committing the committables of a
 * restored checkpoint is harmless.
 *
 * <p>Transactions of one writer on one shard (a <em>lane</em>) commit in increasing id order, and a higher commit
 * makes the storage node drop that writer's lower staged transactions there. So a commit is never skipped and
 * retried later: retriable failures are retried here until the request timeout, and past it the job fails and
 * restarts from the checkpoint, whose committables Flink commits again, in order. Lanes are independent (each
 * shard keeps its own writer sequences), so they commit concurrently: a checkpoint's commits cost the slowest
 * shard's commit, not the sum of all of them, and Flink calls this on the task's thread, which processes no
 * record meanwhile.
 *
 * <p>Threading: {@link #commit} is called by one thread (Flink's); lanes run on this committer's own threads and
 * the requests are signalled back on the calling thread.
 */
final class MeridianCommitter implements Committer<ShardCommittable> {
    private static final Logger LOG = LoggerFactory.getLogger(MeridianCommitter.class);
    /** Lanes committed at once: more than the shards a job's subtask usually writes to is of no use. */
    static final int PARALLEL_LANES = 4;

    /** One commit call: the storage RPC in production. */
    interface CommitCall {
        void commit(String db, int shard, String writerId, long transactionId);
    }

    private final CommitCall call;
    private final AutoCloseable resources;
    private final ExecutorService lanes;

    MeridianCommitter(SinkSettings settings) {
        this(ShardRpc.open(settings));
    }

    private MeridianCommitter(ShardRpc rpc) {
        this(rpc::commit, rpc);
    }

    /** A committer over {@code call}; {@code resources} are closed with it. */
    MeridianCommitter(CommitCall call, AutoCloseable resources) {
        this.call = call;
        this.resources = resources;
        AtomicInteger n = new AtomicInteger();
        this.lanes = Executors.newFixedThreadPool(PARALLEL_LANES, r -> {
            Thread t = new Thread(r, "meridian-committer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void commit(Collection<CommitRequest<ShardCommittable>> requests) {
        Map<Lane, List<CommitRequest<ShardCommittable>>> byLane = new LinkedHashMap<>();
        for (CommitRequest<ShardCommittable> r : requests) {
            ShardCommittable c = r.getCommittable();
            byLane.computeIfAbsent(new Lane(c.database(), c.shard(), c.writerId()), k -> new ArrayList<>())
                    .add(r);
        }
        List<List<CommitRequest<ShardCommittable>>> ordered = new ArrayList<>(byLane.values());
        ordered.forEach(
                l -> l.sort(Comparator.comparingLong(r -> r.getCommittable().transactionId())));
        List<LaneOutcome> outcomes = new ArrayList<>(ordered.size());
        if (ordered.size() == 1) { // the common case of one shard: no hand-off
            outcomes.add(commitLane(ordered.get(0)));
        } else {
            List<CompletableFuture<LaneOutcome>> running = new ArrayList<>(ordered.size());
            for (List<CommitRequest<ShardCommittable>> lane : ordered) {
                running.add(CompletableFuture.supplyAsync(() -> commitLane(lane), lanes));
            }
            running.forEach(f -> outcomes.add(f.join())); // commitLane catches what a commit throws
        }
        outcomes.forEach(LaneOutcome::signal);
    }

    /** Commits a lane's transactions in order, up to the first that fails. */
    private LaneOutcome commitLane(List<CommitRequest<ShardCommittable>> lane) {
        for (int i = 0; i < lane.size(); i++) {
            ShardCommittable c = lane.get(i).getCommittable();
            try {
                call.commit(c.database(), c.shard(), c.writerId(), c.transactionId());
            } catch (MeridianException e) {
                LOG.warn(
                        "commit failed [db={}, shard={}, writer={}, transaction={}]: {}",
                        c.database(),
                        c.shard(),
                        c.writerId(),
                        c.transactionId(),
                        e.getMessage());
                return new LaneOutcome(lane, i, e);
            }
        }
        return new LaneOutcome(lane, lane.size(), null);
    }

    /** Transactions that commit in order: one writer's on one shard. */
    private record Lane(String database, int shard, String writerId) {}

    /** What happened to a lane: requests before {@code failedAt} committed; the one at it failed with {@code e}. */
    private record LaneOutcome(List<CommitRequest<ShardCommittable>> lane, int failedAt, MeridianException e) {
        /** Tells Flink: the failed request by its error, every later one as failed too (nothing overtakes it). */
        void signal() {
            for (int i = failedAt; i < lane.size(); i++) {
                CommitRequest<ShardCommittable> r = lane.get(i);
                ShardCommittable c = r.getCommittable();
                if (i > failedAt) {
                    r.signalFailedWithUnknownReason(new IllegalStateException("an earlier commit failed [db="
                            + c.database() + ", shard=" + c.shard() + ", transaction=" + c.transactionId() + "]"));
                } else if (e.isRetriable()) {
                    r.signalFailedWithUnknownReason(e);
                } else {
                    r.signalFailedWithKnownReason(e);
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        lanes.shutdownNow();
        resources.close();
    }
}
