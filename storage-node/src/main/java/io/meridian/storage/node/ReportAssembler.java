package io.meridian.storage.node;

import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ReplicaReport;
import io.meridian.meta.model.ShardState;
import io.meridian.storage.replication.ReplicaStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure mapping from what the {@code ReplicaController} serves ({@link ReplicaStatus}) to this node's
 * {@link NodeReport}: per replica, the shard state as the node knows it, at the epoch the replica actually serves
 * (so the master does not count a replica as caught up with an epoch it has not taken over yet), and its last
 * persisted sequence.
 *
 * <p>A replica whose shard has no state in the snapshot (its database was dropped, or the node has no metadata
 * yet) is left out: without a state and a config the master can do nothing with it.
 */
public final class ReportAssembler {
    private ReportAssembler() {}

    public static NodeReport build(String nodeId, String cluster, MetaSnapshot known, List<ReplicaStatus> served) {
        Objects.requireNonNull(known, "known");
        List<ReplicaReport> replicas = new ArrayList<>();
        Set<String> dbs = new TreeSet<>();
        for (ReplicaStatus r : served) {
            ShardState s = known.states()
                    .get(MetaSnapshot.stateKey(
                            r.key().database(), cluster, r.key().shard()));
            if (s == null) {
                continue;
            }
            ShardState atServedEpoch = s.epoch() == r.epoch() ? s : s.withLeader(s.leader(), r.epoch(), s.inSync());
            replicas.add(new ReplicaReport(atServedEpoch, r.lastLsn(), r.problem()));
            dbs.add(s.db());
        }
        replicas.sort((a, b) -> a.knownState().id().compareTo(b.knownState().id()));
        List<DatabaseConfig> configs = dbs.stream()
                .map(known.databases()::get)
                .filter(Objects::nonNull)
                .toList();
        return new NodeReport(nodeId, configs, replicas);
    }
}
