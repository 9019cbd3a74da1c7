package io.meridian.meta.model;

import java.time.Instant;
import java.util.Objects;

/**
 * The value of the master key.
 *
 * @param nodeId the broker that is master
 * @param address where it takes DDL
 * @param electedAt when it won
 */
public record MasterInfo(String nodeId, String address, Instant electedAt) {
    public MasterInfo {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(electedAt, "electedAt");
    }
}
