package io.meridian.storage.node;

import io.meridian.storage.replication.ReplicaController;

/**
 * Creates the node's {@link ReplicaController} once the node's parts are up. {@link StorageNode} owns and
 * closes the result. {@link StorageMain#CONTROLLER} names the one the storage process uses.
 */
@FunctionalInterface
public interface ReplicaControllerFactory {
    ReplicaController create(NodeContext node);
}
