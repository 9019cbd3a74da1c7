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
    private static final Map<String, LocalLeafQuery> LEAF_QUERIES = new ConcurrentHashMap<>();

    private LocalServers() {}

    /** Records that {@code address} is served in this JVM; returns the in-process server name to serve it under. */
    public static String register(String address) {
        String name = "meridian-grpc:" + address;
        NAMES.put(address, name);
        return name;
    }

    /**
     * Records that {@code address} answers leaf queries in this JVM through {@code leafQuery} as well: callers skip
     * the stream and take the table ({@link LocalLeafQuery}).
     */
    public static void registerLeafQuery(String address, LocalLeafQuery leafQuery) {
        LEAF_QUERIES.put(address, leafQuery);
    }

    /** Forgets {@code address}; channels opened and leaf queries sent afterwards use the network. */
    public static void unregister(String address) {
        LEAF_QUERIES.remove(address);
        NAMES.remove(address);
    }

    /** How {@code address} answers a leaf query in this JVM, or null when it is not served here. */
    public static LocalLeafQuery leafQuery(String address) {
        return LEAF_QUERIES.get(address);
    }

    /** The in-process name under which {@code address} is served in this JVM, or null. */
    public static String lookup(String address) {
        return NAMES.get(address);
    }
}
