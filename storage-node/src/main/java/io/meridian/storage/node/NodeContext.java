package io.meridian.storage.node;

import io.meridian.storage.replication.ReplicationOptions;
import io.meridian.storage.server.ShardRegistry;
import java.util.Objects;

/**
 * What a {@link ReplicaControllerFactory} gets to build a controller from. The controller is created before the
 * gRPC server starts (a controller that serves replication calls is handed to the server), so the node's bound
 * address is not known yet; leaders' addresses come with every assignment.
 *
 * @param nodeId   this node's id
 * @param config   the node's whole configuration ({@link StorageNodeConfig#replication()} among it)
 * @param registry the node's shard replicas; owned by the node, which closes it after the controller
 */
public record NodeContext(String nodeId, StorageNodeConfig config, ShardRegistry registry) {
    public NodeContext {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
    }

    public ReplicationOptions replication() {
        return config.replication();
    }
}
