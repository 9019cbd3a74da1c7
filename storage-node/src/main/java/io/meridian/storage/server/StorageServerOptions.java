package io.meridian.storage.server;

import io.meridian.common.error.InvalidInputException;
import java.time.Duration;
import java.util.Objects;

/**
 * Typed options of the storage node's gRPC server. Keys as users will write them in configuration are
 * given per field.
 *
 * @param host             {@code storage.server.host}: address to bind (default 127.0.0.1: loopback only)
 * @param port             {@code storage.server.port}: 0 picks a free port (default 8620)
 * @param maxMessageBytes  {@code storage.server.max-message-size}: largest accepted request (default 64 MiB;
 *                         gRPC's own default of 4 MiB is small for write batches of a busy shard)
 * @param shutdownGrace    {@code storage.server.shutdown-grace}: how long in-flight calls may finish on
 *                         close before they are cancelled (default 10 s)
 * @param workerThreads    {@code storage.server.worker-threads}: threads running calls, which may block on
 *                         the WAL's fsync (default 16); bounded so that a burst queues instead of growing
 *                         gRPC's default unbounded pool
 */
public record StorageServerOptions(
        String host, int port, int maxMessageBytes, Duration shutdownGrace, int workerThreads) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8620;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 << 20;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    public static final int DEFAULT_WORKER_THREADS = 64;

    public StorageServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (port < 0 || port > 65_535) {
            throw new InvalidInputException("invalid option [storage.server.port=" + port + "]: want 0..65535");
        }
        if (maxMessageBytes < 1024) {
            throw new InvalidInputException(
                    "invalid option [storage.server.max-message-size=" + maxMessageBytes + "]: want at least 1024");
        }
        if (workerThreads < 1) {
            throw new InvalidInputException(
                    "invalid option [storage.server.worker-threads=" + workerThreads + "]: want at least 1");
        }
        if (shutdownGrace.isNegative()) {
            throw new InvalidInputException(
                    "invalid option [storage.server.shutdown-grace=" + shutdownGrace + "]: must not be negative");
        }
    }

    public static StorageServerOptions defaults() {
        return new StorageServerOptions(
                DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_SHUTDOWN_GRACE, DEFAULT_WORKER_THREADS);
    }

    public StorageServerOptions withPort(int p) {
        return new StorageServerOptions(host, p, maxMessageBytes, shutdownGrace, workerThreads);
    }

    public StorageServerOptions withHost(String h) {
        return new StorageServerOptions(h, port, maxMessageBytes, shutdownGrace, workerThreads);
    }
}
