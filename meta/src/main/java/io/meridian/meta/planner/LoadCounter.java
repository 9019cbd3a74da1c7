package io.meridian.meta.planner;

import io.meridian.meta.model.ShardState;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replica and leader counts per node while a plan is being built. Mutable, single-threaded, local to one
 * planning call.
 */
final class LoadCounter {
    private final Map<String, Integer> replicas = new TreeMap<>();
    private final Map<String, Integer> leaders = new TreeMap<>();

    LoadCounter(Collection<ShardState> states) {
        states.forEach(this::add);
    }

    void add(ShardState s) {
        s.replicas().forEach(n -> replicas.merge(n, 1, Integer::sum));
        if (s.leader() != null) {
            leaders.merge(s.leader(), 1, Integer::sum);
        }
    }

    void remove(ShardState s) {
        s.replicas().forEach(n -> replicas.merge(n, -1, Integer::sum));
        if (s.leader() != null) {
            leaders.merge(s.leader(), -1, Integer::sum);
        }
    }

    void replace(ShardState before, ShardState after) {
        remove(before);
        add(after);
    }

    int replicas(String node) {
        return replicas.getOrDefault(node, 0);
    }

    int leaders(String node) {
        return leaders.getOrDefault(node, 0);
    }

    /** Candidates ordered least replica-loaded first, then by id: a deterministic placement order. */
    List<String> leastLoaded(Collection<String> candidates) {
        return candidates.stream()
                .sorted(Comparator.comparingInt(this::replicas).thenComparing(Comparator.naturalOrder()))
                .toList();
    }
}
