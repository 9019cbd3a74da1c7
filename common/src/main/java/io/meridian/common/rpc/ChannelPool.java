package io.meridian.common.rpc;

import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One long-lived client channel per peer address ({@code host:port}), opened on first use with
 * {@link StorageChannels#open}. gRPC channels reconnect by themselves, so a pooled channel stays valid across a
 * peer's restarts. Thread-safe.
 */
public final class ChannelPool implements AutoCloseable {
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    /** The channel to {@code address}, opened if needed. */
    public ManagedChannel get(String address) {
        return channels.computeIfAbsent(address, StorageChannels::open);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
