package io.meridian.meta.model;

/** When a write is acknowledged to the client. */
public enum WriteConcern {
    /** Once the leader made it durable. */
    LEADER,
    /** Once a majority of replicas (leader included) made it durable. */
    MAJORITY,
    /** Once every in-sync replica made it durable. */
    ALL
}
