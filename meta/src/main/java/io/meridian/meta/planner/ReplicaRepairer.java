package io.meridian.meta.planner;

import io.meridian.meta.model.ShardState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Replaces replicas on nodes that stayed away too long (ARCHITECTURE §9, replica repair). A leaderless shard
 * is left alone: its dead in-sync replicas hold the only complete copies, so the shard waits for one of them.
 * The new replica starts empty and out of sync (unless nothing was written yet) and catches up from the leader.
 */
final class ReplicaRepairer {
    private ReplicaRepairer() {}

    static ShardState replaceLongDead(ClusterView view, ShardState s, LoadCounter load, Duration repairDelay) {
        if (s.leader() == null) {
            return s;
        }
        ShardState current = s;
        for (String node : s.replicas()) {
            if (view.isLive(node) || !deadLongEnough(view, node, repairDelay)) {
                continue;
            }
            List<String> spare = new ArrayList<>(view.liveStorage(s.cluster()));
            spare.removeAll(current.replicas());
            if (spare.isEmpty()) {
                return current;
            }
            String replacement = load.leastLoaded(spare).get(0);
            List<String> replicas = new ArrayList<>(current.replicas());
            replicas.set(replicas.indexOf(node), replacement);
            Map<String, Long> seqs = new TreeMap<>(current.lastSeq());
            seqs.remove(node);
            seqs.put(replacement, 0L);
            Set<String> inSync = new TreeSet<>(current.inSync());
            inSync.remove(node);
            if (current.seqOf(current.leader()) == 0) {
                inSync.add(replacement); // nothing written yet: the empty replica is complete
            }
            current = current.withReplicas(replicas, inSync).withLastSeq(seqs); // the caller updates the load
        }
        return current;
    }

    private static boolean deadLongEnough(ClusterView view, String node, Duration repairDelay) {
        Instant since = view.deadSince().get(node);
        return since != null && !since.plus(repairDelay).isAfter(view.now());
    }
}
