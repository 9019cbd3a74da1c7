package io.meridian.storage.node;

import io.meridian.meta.model.NodeInfo;
import io.meridian.storage.server.ShardRegistry;
import java.util.Objects;

/**
 * What a {@link ReplicaControllerFactory} gets to build a controller from.
 *
 * @param self        this node as registered (id, cluster, the address its gRPC server listens at)
 * @param config      the node's whole configuration ({@link StorageNodeConfig#replication()} among it)
 * @param registry    the node's shard replicas; owned by the node, which closes it after the controller
 */
public record NodeContext(NodeInfo self, StorageNodeConfig config, ShardRegistry registry) {
    public NodeContext {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
    }

    public ReplicationSettings replication() {
        return config.replication();
    }
}
