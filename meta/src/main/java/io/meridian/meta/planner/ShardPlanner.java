package io.meridian.meta.planner;

import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reconciles shard states with configs and live nodes. Pure and deterministic: the same view always gives
 * the same changes. Calling it again on {@code view.apply(changes)} converges to an empty plan.
 *
 * <p>Rules, in order, per (database, cluster, shard):
 * <ol>
 *   <li>no state: place {@code replicas} distinct live nodes of the cluster, least loaded first; the replica
 *       with the fewest leaderships leads; epoch 1; all in sync (an empty shard has nothing to miss).</li>
 *   <li>reported sequences are merged (a sequence never goes down).</li>
 *   <li>leader not live: the live in-sync replica with the highest sequence leads (ties: placement order),
 *       epoch + 1. If none is live, leader becomes null (epoch + 1, fencing the old leader) and the in-sync set
 *       is kept, so that whichever of its members returns first can lead again (no unclean election).</li>
 *   <li>with a live leader, in-sync = live members of in-sync, plus live replicas whose sequence caught up with
 *       the leader's, plus the leader.</li>
 *   <li>too few replicas: add least-loaded live nodes (not in sync until they catch up); too many: drop
 *       followers, dead ones first, then out-of-sync, then the most loaded.</li>
 *   <li>a replica whose node has been dead for the repair delay is replaced by the least-loaded live spare
 *       ({@link ReplicaRepairer}); never while the shard is leaderless.</li>
 * </ol>
 * Only if none of that changed anything in a cluster does {@link Rebalancer} move one replica or leadership.
 */
public final class ShardPlanner {
    private final PlannerOptions options;

    public ShardPlanner(PlannerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public List<MetaChange> reconcile(ClusterView view) {
        List<MetaChange> changes = new ArrayList<>();
        LoadCounter load = new LoadCounter(view.states().values());
        Map<ShardId, ShardState> next = new TreeMap<>(view.states());
        Set<String> changedClusters = new HashSet<>();
        for (DatabaseConfig db : view.databases().values()) {
            for (String cluster : db.clusters()) {
                for (int shard = 0; shard < db.shards(); shard++) {
                    ShardId id = new ShardId(db.name(), cluster, shard);
                    ShardState before = view.states().get(id);
                    ShardState after = before == null
                            ? place(view, db, id, load)
                            : repair(view, db, ReportMerger.merge(view, before), load);
                    if (after != null && !after.equals(before)) {
                        if (before != null) {
                            load.replace(before, after);
                        }
                        next.put(id, after);
                        changes.add(new MetaChange.PutShard(after));
                        changedClusters.add(cluster);
                    }
                }
            }
        }
        for (ShardState s : view.states().values()) {
            DatabaseConfig db = view.databases().get(s.db());
            if (db == null || !db.clusters().contains(s.cluster()) || s.shard() >= db.shards()) {
                changes.add(new MetaChange.DeleteShard(s.id()));
                next.remove(s.id());
                load.remove(s);
                changedClusters.add(s.cluster());
            }
        }
        changes.addAll(new Rebalancer(options).rebalance(view, next, load, changedClusters));
        return List.copyOf(changes);
    }

    private static ShardState place(ClusterView view, DatabaseConfig db, ShardId id, LoadCounter load) {
        List<String> chosen = load.leastLoaded(view.liveStorage(id.cluster())).stream()
                .limit(db.replicas())
                .toList();
        if (chosen.isEmpty()) {
            return null; // no live node in the cluster yet; placed when one registers
        }
        String leader = chosen.stream()
                .min((a, b) -> load.leaders(a) != load.leaders(b)
                        ? Integer.compare(load.leaders(a), load.leaders(b))
                        : a.compareTo(b))
                .orElseThrow();
        Map<String, Long> seqs = new TreeMap<>();
        chosen.forEach(n -> seqs.put(n, 0L));
        ShardState s = new ShardState(id.db(), id.cluster(), id.shard(), chosen, leader, 1, Set.copyOf(chosen), seqs);
        load.add(s);
        return s;
    }

    private ShardState repair(ClusterView view, DatabaseConfig db, ShardState s, LoadCounter load) {
        s = LeaderElector.elect(view, s);
        s = resize(view, db, s, load);
        s = ReplicaRepairer.replaceLongDead(view, s, load, options.repairDelay());
        return s;
    }

    private static ShardState resize(ClusterView view, DatabaseConfig db, ShardState s, LoadCounter load) {
        List<String> replicas = new ArrayList<>(s.replicas());
        if (replicas.size() < db.replicas()) {
            List<String> spare = new ArrayList<>(view.liveStorage(s.cluster()));
            spare.removeAll(replicas);
            for (String n : load.leastLoaded(spare)) {
                if (replicas.size() >= db.replicas()) {
                    break;
                }
                replicas.add(n);
            }
        } else if (replicas.size() > db.replicas()) {
            List<String> followers = new ArrayList<>(replicas);
            followers.remove(s.leader());
            final ShardState cur = s;
            followers.sort(Comparator.comparing((String n) -> view.isLive(n))
                    .thenComparing(n -> cur.inSync().contains(n))
                    .thenComparing(n -> -load.replicas(n))
                    .thenComparing(Comparator.reverseOrder()));
            for (String n : followers) {
                if (replicas.size() <= db.replicas()) {
                    break;
                }
                replicas.remove(n);
            }
        }
        if (replicas.equals(s.replicas())) {
            return s;
        }
        Set<String> inSync = new TreeSet<>(s.inSync());
        inSync.retainAll(replicas);
        return s.withReplicas(replicas, inSync);
    }
}
