package io.meridian.meta.planner;

import io.meridian.meta.model.ShardState;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps a shard's leader live and healthy and its in-sync set honest (rules 3 and 4 of {@link ShardPlanner}): a
 * leader that is gone, or that reports a problem with its replica ({@link io.meridian.meta.model.ReplicaReport#problem})
 * while a healthy in-sync replica is live, is replaced by the in-sync replica with the highest sequence. A replica
 * re-enters the in-sync set only when it reports the current epoch with a sequence at least the leader's: a
 * sequence from an older epoch may include a tail the new leader never had.
 */
final class LeaderElector {
    private LeaderElector() {}

    static ShardState elect(ClusterView view, ShardState s) {
        boolean leaderLive = s.leader() != null && view.isLive(s.leader());
        if (leaderLive && ReportMerger.problemOf(view, s.leader(), s) == null) {
            return s.withInSync(inSyncUnder(view, s, s.leader()));
        }
        Optional<String> next = s.replicas().stream()
                .filter(n -> s.inSync().contains(n)
                        && view.isLive(n)
                        && !n.equals(s.leader())
                        && ReportMerger.problemOf(view, n, s) == null)
                .max(Comparator.comparingLong(s::seqOf)
                        .thenComparing(n -> -s.replicas().indexOf(n)));
        if (leaderLive && next.isEmpty()) {
            // the leader reports a problem (a stopped shard, a full disk) but no healthy in-sync replica can take
            // over: it keeps leading (it reopens itself, or takes writes again when space returns)
            return s.withInSync(inSyncUnder(view, s, s.leader()));
        }
        if (next.isEmpty()) {
            // nobody safe to promote: fence the old leader, keep the in-sync set for its members' return
            return s.leader() == null ? s : s.withLeader(null, s.epoch() + 1, s.inSync());
        }
        ShardState promoted = s.withLeader(next.get(), s.epoch() + 1, s.inSync());
        return promoted.withInSync(inSyncUnder(view, promoted, next.get()));
    }

    private static Set<String> inSyncUnder(ClusterView view, ShardState s, String leader) {
        Set<String> inSync = new TreeSet<>();
        long leaderSeq = s.seqOf(leader);
        for (String n : s.replicas()) {
            if (!view.isLive(n)) {
                continue;
            }
            boolean caughtUp = leaderSeq == 0 || ReportMerger.reportsEpoch(view, n, s) && s.seqOf(n) >= leaderSeq;
            if (s.inSync().contains(n) || caughtUp) {
                inSync.add(n);
            }
        }
        inSync.add(leader);
        return inSync;
    }
}
