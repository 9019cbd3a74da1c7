package io.meridian.storage.replication;

/** When a shard leader acknowledges a write (mirrors the database setting in meta). */
public enum WriteConcern {
    /** Once the leader made it durable. */
    LEADER,
    /** Once a majority of the replicas (leader included) made it durable. */
    MAJORITY,
    /** Once every replica in the leader's in-sync view made it durable. */
    ALL
}
