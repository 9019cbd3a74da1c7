package io.meridian.connector.flink;

import io.meridian.common.error.MeridianException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes staged transactions visible once their checkpoint completed: a Commit to the shard's current leader (it
 * holds the staged points: staging is replicated like a write). Committing is idempotent on the storage side (a
 * transaction commits at most once; a repeat answers "duplicate"), so Flink re-committing the committables of a
 * restored checkpoint is harmless.
 *
 * <p>Transactions of one writer commit in increasing id order, and a higher commit makes the storage node drop
 * that writer's lower staged transactions. So a commit is never skipped and retried later: retriable failures
 * are retried here until the request timeout, and past it the job fails and restarts from the checkpoint, whose
 * committables Flink commits again, in order.
 */
final class MeridianCommitter implements Committer<ShardCommittable> {
    private static final Logger LOG = LoggerFactory.getLogger(MeridianCommitter.class);

    private final ShardRpc rpc;

    MeridianCommitter(SinkSettings settings) {
        this.rpc = ShardRpc.open(settings);
    }

    @Override
    public void commit(Collection<CommitRequest<ShardCommittable>> requests) {
        List<CommitRequest<ShardCommittable>> ordered = new ArrayList<>(requests);
        ordered.sort(Comparator.comparingLong(r -> r.getCommittable().transactionId()));
        boolean failed = false;
        for (CommitRequest<ShardCommittable> r : ordered) {
            ShardCommittable c = r.getCommittable();
            if (failed) { // keep the order: nothing after a failed commit goes first
                r.signalFailedWithUnknownReason(new IllegalStateException("an earlier commit failed [db=" + c.database()
                        + ", shard=" + c.shard() + ", transaction=" + c.transactionId() + "]"));
                continue;
            }
            try {
                rpc.commit(c.database(), c.shard(), c.writerId(), c.transactionId());
            } catch (MeridianException e) {
                LOG.warn(
                        "commit failed [db={}, shard={}, writer={}, transaction={}]: {}",
                        c.database(),
                        c.shard(),
                        c.writerId(),
                        c.transactionId(),
                        e.getMessage());
                failed = true;
                if (e.isRetriable()) {
                    r.signalFailedWithUnknownReason(e);
                } else {
                    r.signalFailedWithKnownReason(e);
                }
            }
        }
    }

    @Override
    public void close() {
        rpc.close();
    }
}
