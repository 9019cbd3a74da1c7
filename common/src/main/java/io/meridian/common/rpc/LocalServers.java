package io.meridian.common.rpc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gRPC servers of this JVM that a client may reach without a socket, by the {@code host:port} they advertise.
 * Standalone runs the broker and the storage node in one process: a leaf query, a write or a replication fetch
 * between them then skips loopback TCP, HTTP/2 framing, the Netty event loops and protobuf's encoding (grpc's
 * in-process transport hands the message object over), which is most of a small query's latency on two cores.
 *
 * <p>A server {@link #register registers} its advertised address when it starts and {@link #unregister unregisters}
 * it before it stops; {@link StorageChannels#open} consults the registry when it opens a channel. A channel opened
 * while the address was served here stays in-process: it finds the server again under the same name if it
 * restarts in this JVM. Thread-safe.
 */
public final class LocalServers {
    private static final Map<String, String> NAMES = new ConcurrentHashMap<>();

    private LocalServers() {}

    /** Records that {@code address} is served in this JVM; returns the in-process server name to serve it under. */
    public static String register(String address) {
        String name = "meridian-grpc:" + address;
        NAMES.put(address, name);
        return name;
    }

    /** Forgets {@code address}; channels opened afterwards use the network. */
    public static void unregister(String address) {
        NAMES.remove(address);
    }

    /** The in-process name under which {@code address} is served in this JVM, or null. */
    public static String lookup(String address) {
        return NAMES.get(address);
    }
}
