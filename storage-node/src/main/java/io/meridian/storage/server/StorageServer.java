package io.meridian.storage.server;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.rpc.LocalServers;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage node's gRPC server: {@link StorageService} over a {@link ShardRegistry}, on the network (Netty) and,
 * under the same {@code host:port}, to clients in this JVM without a socket ({@link LocalServers}: standalone's
 * broker). Both share one worker pool, but for an in-process leaf query, which runs on its caller's thread
 * ({@link InProcessCallExecutor}). Closing withdraws the in-process name, stops accepting calls, lets in-flight
 * ones finish within the grace period, then cancels the rest; the registry is the caller's and stays open.
 */
public final class StorageServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StorageServer.class);
    /** Runs a call's callbacks on the thread that delivers them. */
    private static final Executor INLINE = Runnable::run;

    private final Server server;
    private final Server local;
    private final String address;
    private final ExecutorService workers;
    private final StorageServerOptions options;
    /** Bound port, kept because {@link Server#getPort()} refuses to answer once terminated. */
    private final int port;

    private StorageServer(
            Server server, Server local, String address, ExecutorService workers, StorageServerOptions options) {
        this.server = server;
        this.local = local;
        this.address = address;
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
        StorageService service = new StorageService(registry, replication);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(options.host(), options.port()))
                .executor(workers)
                .maxInboundMessageSize(options.maxMessageBytes())
                .addService(service)
                .build();
        try {
            server.start();
        } catch (IOException e) {
            workers.shutdownNow();
            throw new StorageIoException(
                    "cannot start storage server [host=" + options.host() + ", port=" + options.port() + "]", e);
        }
        String address = options.host() + ":" + server.getPort();
        Server local;
        try {
            local = InProcessServerBuilder.forName(LocalServers.register(address))
                    .executor(INLINE)
                    .callExecutor(new InProcessCallExecutor(workers))
                    .addService(service)
                    .build()
                    .start();
            LocalServers.registerLeafQuery(address, service::leafTable);
        } catch (IOException e) {
            LocalServers.unregister(address);
            server.shutdownNow();
            workers.shutdownNow();
            throw new StorageIoException("cannot start the in-process storage server [address=" + address + "]", e);
        }
        LOG.info(
                "storage server started [host={}, port={}, replicas={}, ms={}]",
                options.host(),
                server.getPort(),
                registry.replicas().size(),
                (System.nanoTime() - started) / 1_000_000);
        return new StorageServer(server, local, address, workers, options);
    }

    /**
     * Where a call from this JVM runs. A leaf query runs on its caller's thread: the caller blocks for its answer
     * anyway, and two hand-offs (to a worker, and back) cost more than a small query takes. Its streamer never
     * blocks (it waits for the reader's window by returning, not by parking), so running inline cannot deadlock.
     * Every other call (writes, replication, the sink's transactions) runs on the worker pool: their in-process
     * callers rely on calls running beside them.
     */
    record InProcessCallExecutor(Executor workers) implements ServerCallExecutorSupplier {
        private static final String LEAF_QUERY =
                StorageServiceGrpc.getLeafQueryMethod().getFullMethodName();

        @Override
        public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
            return LEAF_QUERY.equals(call.getMethodDescriptor().getFullMethodName())
                    ? null // the server's own executor: INLINE
                    : workers;
        }
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
        LocalServers.unregister(address);
        server.shutdown();
        local.shutdown();
        try {
            long graceMs = options.shutdownGrace().toMillis();
            if (!server.awaitTermination(graceMs, TimeUnit.MILLISECONDS)
                    | !local.awaitTermination(graceMs, TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "storage server calls still running after the grace period; cancelling them [grace={}]",
                        options.shutdownGrace());
                server.shutdownNow();
                local.shutdownNow();
                server.awaitTermination(graceMs, TimeUnit.MILLISECONDS);
                local.awaitTermination(graceMs, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            local.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            workers.shutdownNow();
        }
        LOG.info("storage server stopped [port={}]", port);
    }
}
