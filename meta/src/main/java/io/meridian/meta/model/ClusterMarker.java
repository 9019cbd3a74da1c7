package io.meridian.meta.model;

import java.time.Instant;
import java.util.Objects;

/**
 * Written once by the first master of an etcd. Its absence tells the master that etcd is new or lost its data,
 * so configs and shard states must be rebuilt from node reports before anything else is decided.
 *
 * @param clusterId random id of this metadata incarnation
 * @param createdAt when it was written
 */
public record ClusterMarker(String clusterId, Instant createdAt) {
    public ClusterMarker {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
