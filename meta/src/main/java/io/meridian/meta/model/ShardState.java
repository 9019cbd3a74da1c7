package io.meridian.meta.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicas and leadership of one shard, as decided by the master.
 *
 * @param db database name
 * @param cluster storage cluster
 * @param shard shard number
 * @param replicas node ids holding a replica, in placement order
 * @param leader the leader's node id, or null while no in-sync replica is alive
 * @param epoch bumped at every leader change; writes carry it and stale leaders are fenced by it
 * @param inSync replicas known to have every acknowledged write (always contains the leader if there is one)
 * @param lastSeq the last replicated sequence each replica reported
 */
public record ShardState(
        String db,
        String cluster,
        int shard,
        List<String> replicas,
        String leader,
        long epoch,
        Set<String> inSync,
        Map<String, Long> lastSeq) {
    public ShardState {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(cluster, "cluster");
        replicas = List.copyOf(replicas);
        inSync = Collections.unmodifiableSortedSet(new TreeSet<>(inSync));
        lastSeq = Collections.unmodifiableSortedMap(new TreeMap<>(lastSeq));
        if (leader != null && !replicas.contains(leader)) {
            throw new IllegalArgumentException("BUG: shard leader is not a replica [shard=" + db + "/" + cluster + "/"
                    + shard + ", leader=" + leader + ", replicas=" + replicas + "]");
        }
    }

    @JsonIgnore
    public ShardId id() {
        return new ShardId(db, cluster, shard);
    }

    /** The replicas in the order a reader tries them: the leader, then the other in-sync replicas, then the rest. */
    public List<String> readOrder() {
        LinkedHashSet<String> order = new LinkedHashSet<>();
        if (leader != null) {
            order.add(leader);
        }
        order.addAll(inSync);
        order.addAll(replicas);
        return List.copyOf(order);
    }

    public long seqOf(String node) {
        return lastSeq.getOrDefault(node, 0L);
    }

    public ShardState withLeader(String newLeader, long newEpoch, Set<String> newInSync) {
        return new ShardState(db, cluster, shard, replicas, newLeader, newEpoch, newInSync, lastSeq);
    }

    public ShardState withReplicas(List<String> newReplicas, Set<String> newInSync) {
        Map<String, Long> seqs = new TreeMap<>(lastSeq);
        seqs.keySet().retainAll(newReplicas);
        return new ShardState(db, cluster, shard, newReplicas, leader, epoch, newInSync, seqs);
    }

    public ShardState withInSync(Set<String> newInSync) {
        return new ShardState(db, cluster, shard, replicas, leader, epoch, newInSync, lastSeq);
    }

    public ShardState withLastSeq(Map<String, Long> newLastSeq) {
        return new ShardState(db, cluster, shard, replicas, leader, epoch, inSync, newLastSeq);
    }
}
