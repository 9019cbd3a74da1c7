package io.meridian.storage.server;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.meridian.common.error.StorageIoException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final ExecutorService workers;
    private final StorageServerOptions options;
    /** Bound port, kept because {@link Server#getPort()} refuses to answer once terminated. */
    private final int port;

    private StorageServer(Server server, ExecutorService workers, StorageServerOptions options) {
        this.server = server;
        this.workers = workers;
        this.options = options;
        this.port = server.getPort();
    }

    /**
     * Binds and starts the server.
     *
     * @throws StorageIoException when the address cannot be bound
     */
    public static StorageServer start(StorageServerOptions options, ShardRegistry registry) {
        return start(options, registry, ReplicationHooks.NONE);
    }

    /** Binds and starts the server with writes and fetches going through {@code replication}. */
    public static StorageServer start(
            StorageServerOptions options, ShardRegistry registry, ReplicationHooks replication) {
        long started = System.nanoTime();
        AtomicInteger threadIds = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(options.workerThreads(), r -> {
            Thread t = new Thread(r, "meridian-storage-rpc-" + threadIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(options.host(), options.port()))
                .executor(workers)
                .maxInboundMessageSize(options.maxMessageBytes())
                .addService(new StorageService(registry, replication))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            workers.shutdownNow();
            throw new StorageIoException(
                    "cannot start storage server [host=" + options.host() + ", port=" + options.port() + "]", e);
        }
        LOG.info(
                "storage server started [host={}, port={}, replicas={}, ms={}]",
                options.host(),
                server.getPort(),
                registry.replicas().size(),
                (System.nanoTime() - started) / 1_000_000);
        return new StorageServer(server, workers, options);
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
                LOG.warn(
                        "storage server calls still running after the grace period; cancelling them [grace={}]",
                        options.shutdownGrace());
                server.shutdownNow();
                server.awaitTermination(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            workers.shutdownNow();
        }
        LOG.info("storage server stopped [port={}]", port);
    }
}
