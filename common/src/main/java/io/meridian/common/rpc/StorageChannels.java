package io.meridian.common.rpc;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;

/** Client channels to storage nodes, one way everywhere (brokers, replication, tests). */
public final class StorageChannels {
    /** Largest response a client accepts (a snapshot chunk, a fetch, a leaf result chunk). */
    public static final int MAX_INBOUND_BYTES = 256 << 20;

    private StorageChannels() {}

    /**
     * A channel to {@code host:port}: in-process when that address is served in this JVM ({@link LocalServers}),
     * else plaintext over the network (traffic stays inside the cluster's network).
     */
    public static ManagedChannel open(String address) {
        String local = LocalServers.lookup(address);
        if (local != null) {
            return InProcessChannelBuilder.forName(local).build();
        }
        return ManagedChannelBuilder.forTarget(address)
                .usePlaintext()
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .build();
    }
}
