package io.meridian.meta.planner;

import io.meridian.meta.model.ShardState;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps a shard's leader live and its in-sync set honest (rules 3 and 4 of {@link ShardPlanner}). A replica
 * re-enters the in-sync set only when it reports the current epoch with a sequence at least the leader's: a
 * sequence from an older epoch may include a tail the new leader never had.
 */
final class LeaderElector {
    private LeaderElector() {}

    static ShardState elect(ClusterView view, ShardState s) {
        if (s.leader() != null && view.isLive(s.leader())) {
            return s.withInSync(inSyncUnder(view, s, s.leader()));
        }
        Optional<String> next = s.replicas().stream()
                .filter(n -> s.inSync().contains(n) && view.isLive(n) && !n.equals(s.leader()))
                .max(Comparator.comparingLong(s::seqOf)
                        .thenComparing(n -> -s.replicas().indexOf(n)));
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
            boolean caughtUp = leaderSeq == 0
                    || ReportMerger.reportsEpoch(view, n, s) && s.seqOf(n) >= leaderSeq;
            if (s.inSync().contains(n) || caughtUp) {
                inSync.add(n);
            }
        }
        inSync.add(leader);
        return inSync;
    }
}
