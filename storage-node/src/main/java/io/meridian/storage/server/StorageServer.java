package io.meridian.storage.server;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.meridian.common.error.StorageIoException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage node's gRPC server (netty transport): {@link StorageService} over a {@link ShardRegistry}.
 * Closing stops accepting calls, lets in-flight ones finish within the grace period, then cancels the
 * rest; the registry is the caller's and stays open.
 */
public final class StorageServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StorageServer.class);

    private final Server server;
    private final StorageServerOptions options;
    /** Bound port, kept because {@link Server#getPort()} refuses to answer once terminated. */
    private final int port;

    private StorageServer(Server server, StorageServerOptions options) {
        this.server = server;
        this.options = options;
        this.port = server.getPort();
    }

    /**
     * Binds and starts the server.
     *
     * @throws StorageIoException when the address cannot be bound
     */
    public static StorageServer start(StorageServerOptions options, ShardRegistry registry) {
        long started = System.nanoTime();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(options.host(), options.port()))
                .maxInboundMessageSize(options.maxMessageBytes())
                .addService(new StorageService(registry))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new StorageIoException("cannot start storage server [host=" + options.host() + ", port="
                    + options.port() + "]", e);
        }
        LOG.info("storage server started [host={}, port={}, replicas={}, ms={}]", options.host(), server.getPort(),
                registry.replicas().size(), (System.nanoTime() - started) / 1_000_000);
        return new StorageServer(server, options);
    }

    /** The bound port (the chosen one when the options asked for port 0). */
    public int port() {
        return port;
    }

    public String host() {
        return options.host();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("storage server calls still running after the grace period; cancelling them [grace={}]",
                        options.shutdownGrace());
                server.shutdownNow();
                server.awaitTermination(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.info("storage server stopped [port={}]", port);
    }
}
