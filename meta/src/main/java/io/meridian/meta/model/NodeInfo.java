package io.meridian.meta.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A live node, as registered under a lease.
 *
 * @param id unique node id
 * @param role broker or storage
 * @param host the host other nodes reach it at
 * @param grpcPort internal RPC port
 * @param httpPort HTTP port (0 if none)
 * @param idc the data centre
 * @param cluster the storage cluster (for storage nodes; brokers name the cluster they route to in their IDC)
 * @param version the software version
 * @param startTime when the process started
 */
public record NodeInfo(
        String id,
        NodeRole role,
        String host,
        int grpcPort,
        int httpPort,
        String idc,
        String cluster,
        String version,
        Instant startTime) {
    public NodeInfo {
        Checks.name("node", id);
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(host, "host");
        Checks.port("grpcPort", grpcPort);
        Checks.port("httpPort", httpPort);
        Checks.name("idc", idc);
        Checks.name("cluster", cluster);
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(startTime, "startTime");
    }

    /** {@code host:grpcPort}, what a client dials. */
    public String address() {
        return host + ":" + grpcPort;
    }
}
