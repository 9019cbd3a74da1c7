package io.meridian.meta.registry;

import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ReplicaReport;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/** Builds a storage node's {@link NodeReport} from what it knows: its cached states and its replicas' sequences. */
public final class ReportBuilder {
    private ReportBuilder() {}

    /**
     * @param nodeId the reporting node
     * @param known the node's latest metadata snapshot (live, or loaded from disk)
     * @param lastSeq the last persisted sequence of this node's replica of a shard
     */
    public static NodeReport build(String nodeId, MetaSnapshot known, ToLongFunction<ShardId> lastSeq) {
        List<ReplicaReport> replicas = new ArrayList<>();
        Set<String> dbs = new TreeSet<>();
        for (ShardState s : known.replicasOf(nodeId)) {
            replicas.add(new ReplicaReport(s, lastSeq.applyAsLong(s.id())));
            dbs.add(s.db());
        }
        List<DatabaseConfig> configs = dbs.stream()
                .map(known.databases()::get)
                .filter(Objects::nonNull)
                .toList();
        return new NodeReport(nodeId, configs, replicas);
    }
}
