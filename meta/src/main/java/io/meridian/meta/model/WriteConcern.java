package io.meridian.meta.model;

/**
 * When a write is acknowledged to the client: a database's setting, and what its shard leaders apply (the one
 * type for both; storage reads it from the assignment).
 */
public enum WriteConcern {
    /** Once the leader made it durable. */
    LEADER,
    /** Once a majority of replicas (leader included) made it durable. */
    MAJORITY,
    /** Once every replica in the leader's in-sync view made it durable. */
    ALL
}
