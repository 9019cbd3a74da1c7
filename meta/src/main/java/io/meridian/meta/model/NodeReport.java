package io.meridian.meta.model;

import java.util.List;
import java.util.Objects;

/**
 * What a node holds, published lease-bound under {@code {root}/reports/{nodeId}}. The master merges replica
 * sequences into shard states, and rebuilds configs and states from these reports after etcd lost its data.
 *
 * @param nodeId the reporting node
 * @param databases configs of the databases it holds replicas of, as it last knew them
 * @param replicas its replicas
 */
public record NodeReport(String nodeId, List<DatabaseConfig> databases, List<ReplicaReport> replicas) {
    public NodeReport {
        Objects.requireNonNull(nodeId, "nodeId");
        databases = List.copyOf(databases);
        replicas = List.copyOf(replicas);
    }

    public static NodeReport empty(String nodeId) {
        return new NodeReport(nodeId, List.of(), List.of());
    }
}
