package io.meridian.storage.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meridian.common.error.StorageIoException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The storage node's small HTTP endpoint for operators: {@code GET /metrics} (the node's meters in the Prometheus
 * text format, what Prometheus scrapes) and {@code GET /health/live} (200 while the process serves). Everything
 * else a storage node does is gRPC; this is for the tools that speak HTTP. One thread: a scrape is cheap.
 */
public final class StorageHttpServer implements AutoCloseable {
    /** {@code storage.http.port}'s default: next to the gRPC port (8620). */
    public static final int DEFAULT_PORT = 8621;

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private StorageHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds and starts the endpoint.
     *
     * @throws StorageIoException naming the address when the port cannot be bound
     */
    public static StorageHttpServer start(String host, int port, PrometheusMeterRegistry registry) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new StorageIoException(
                    "cannot bind the storage node's HTTP port [storage.server.host=" + host + ", storage.http.port="
                            + port + "]: set another port, 0 for a free one, or -1 for none",
                    e);
        }
        server.createContext("/metrics", ex -> answer(ex, 200, PROMETHEUS_TEXT, registry.scrape()));
        server.createContext("/health/live", ex -> answer(ex, 200, "text/plain; charset=utf-8", "ok\n"));
        server.createContext(
                "/",
                ex -> answer(
                        ex,
                        404,
                        "text/plain; charset=utf-8",
                        "not found [path=" + ex.getRequestURI().getPath() + "]: this storage node serves /metrics and "
                                + "/health/live\n"));
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "storage-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new StorageHttpServer(server, executor);
    }

    private static void answer(HttpExchange ex, int status, String contentType, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                status = 405;
                body = "method not allowed [method=" + ex.getRequestMethod() + "]: use GET\n";
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", contentType);
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** The bound port (the chosen one when configured as 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
