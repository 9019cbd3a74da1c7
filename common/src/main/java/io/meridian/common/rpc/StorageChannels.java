package io.meridian.common.rpc;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/** Client channels to storage nodes, one way everywhere (brokers, replication, tests). */
public final class StorageChannels {
    /** Largest response a client accepts (a snapshot chunk, a fetch, a leaf result chunk). */
    public static final int MAX_INBOUND_BYTES = 256 << 20;

    private StorageChannels() {}

    /** A plaintext channel to {@code host:port} (traffic stays inside the cluster's network). */
    public static ManagedChannel open(String address) {
        return ManagedChannelBuilder.forTarget(address)
                .usePlaintext()
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .build();
    }
}
