package io.meridian.meta.planner;

import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Moves at most one replica, or else one leadership, per storage cluster per planning round, toward an even
 * spread. Only nodes live for at least the rebalance delay receive anything, so a flapping node does not
 * cause churn. Each move strictly lowers the spread (max - min &gt; 1 before it), so repeated rounds end.
 *
 * <p>A moved replica is replaced in place by an empty one that is out of sync until it catches up; a
 * production-grade move would first add the new replica and drop the old one only once the new one is in
 * sync. The leader replica is moved only if another live in-sync replica can take over (epoch + 1).
 */
final class Rebalancer {
    private final PlannerOptions options;

    Rebalancer(PlannerOptions options) {
        this.options = options;
    }

    List<MetaChange> rebalance(
            ClusterView view, Map<ShardId, ShardState> states, LoadCounter load, Set<String> skipClusters) {
        Set<String> clusters = new TreeSet<>();
        states.values().forEach(s -> clusters.add(s.cluster()));
        List<MetaChange> changes = new ArrayList<>();
        for (String cluster : clusters) {
            if (skipClusters.contains(cluster)) {
                continue;
            }
            List<String> live = view.liveStorage(cluster);
            List<String> eligible = live.stream().filter(n -> eligible(view, n)).toList();
            if (live.size() < 2 || eligible.isEmpty()) {
                continue;
            }
            List<ShardState> inCluster = states.values().stream()
                    .filter(s -> s.cluster().equals(cluster))
                    .toList();
            Optional<ShardState> moved = moveReplica(view, inCluster, live, eligible, load);
            if (moved.isEmpty()) {
                moved = moveLeader(view, inCluster, live, eligible, load);
            }
            moved.ifPresent(s -> changes.add(new MetaChange.PutShard(s)));
        }
        return changes;
    }

    private boolean eligible(ClusterView view, String node) {
        Instant since = view.liveSince().get(node);
        return since == null || !since.plus(options.rebalanceDelay()).isAfter(view.now());
    }

    private static Optional<ShardState> moveReplica(
            ClusterView view, List<ShardState> states, List<String> live, List<String> eligible, LoadCounter load) {
        String from = live.stream()
                .max(Comparator.comparingInt(load::replicas).thenComparing(Comparator.reverseOrder()))
                .orElseThrow();
        String to = eligible.stream()
                .min(Comparator.comparingInt(load::replicas).thenComparing(Comparator.naturalOrder()))
                .orElseThrow();
        if (load.replicas(from) - load.replicas(to) <= 1) {
            return Optional.empty();
        }
        for (ShardState s : states) {
            if (!s.replicas().contains(from) || s.replicas().contains(to)) {
                continue;
            }
            ShardState base = s;
            if (from.equals(s.leader())) {
                Optional<String> heir = heir(view, s, from);
                if (heir.isEmpty()) {
                    continue;
                }
                base = s.withLeader(heir.get(), s.epoch() + 1, s.inSync());
            }
            List<String> replicas = new ArrayList<>(s.replicas());
            replicas.set(replicas.indexOf(from), to);
            Map<String, Long> seqs = new TreeMap<>(base.lastSeq());
            seqs.remove(from);
            seqs.put(to, 0L);
            Set<String> inSync = new TreeSet<>(base.inSync());
            inSync.remove(from);
            if (base.leader() == null || base.seqOf(base.leader()) == 0) {
                inSync.add(to); // nothing written yet: the empty replica is complete
            }
            ShardState after = base.withReplicas(replicas, inSync).withLastSeq(seqs);
            load.replace(s, after);
            return Optional.of(after);
        }
        return Optional.empty();
    }

    private static Optional<ShardState> moveLeader(
            ClusterView view, List<ShardState> states, List<String> live, List<String> eligible, LoadCounter load) {
        String from = live.stream()
                .max(Comparator.comparingInt(load::leaders).thenComparing(Comparator.reverseOrder()))
                .orElseThrow();
        String to = eligible.stream()
                .min(Comparator.comparingInt(load::leaders).thenComparing(Comparator.naturalOrder()))
                .orElseThrow();
        if (load.leaders(from) - load.leaders(to) <= 1) {
            return Optional.empty();
        }
        for (ShardState s : states) {
            if (from.equals(s.leader())
                    && s.inSync().contains(to)
                    && s.replicas().contains(to)
                    && ReportMerger.problemOf(view, to, s) == null) {
                ShardState after = s.withLeader(to, s.epoch() + 1, s.inSync());
                load.replace(s, after);
                return Optional.of(after);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> heir(ClusterView view, ShardState s, String leaving) {
        return s.replicas().stream()
                .filter(n -> !n.equals(leaving)
                        && s.inSync().contains(n)
                        && view.isLive(n)
                        && ReportMerger.problemOf(view, n, s) == null)
                .max(Comparator.comparingLong(s::seqOf)
                        .thenComparing(n -> -s.replicas().indexOf(n)));
    }
}
