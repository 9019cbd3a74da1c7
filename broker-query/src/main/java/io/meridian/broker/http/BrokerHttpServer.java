package io.meridian.broker.http;

import io.meridian.broker.health.Readiness;
import io.meridian.broker.write.BatchSink;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.ingest.LineShapes;
import io.meridian.common.lineprotocol.StringFieldPolicy;
import io.meridian.meta.cache.MetaCache;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's HTTP server (netty; Linux's epoll transport where its native library loads, else NIO: epoll answers
 * a new connection's request about 0.3 ms sooner): HTTP/1.1 with keep-alive, gzip request bodies (decompressed
 * before the size check, so the bound is on what is parsed), bodies over {@code maxBodyBytes} answered 413 by the
 * aggregator, and a bounded pool running the endpoints of a {@link HttpRoutes} table.
 */
public final class BrokerHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerHttpServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final ExecutorService workers;
    private final Channel channel;

    private BrokerHttpServer(EventLoopGroup boss, EventLoopGroup io, ExecutorService workers, Channel channel) {
        this.boss = boss;
        this.io = io;
        this.workers = workers;
        this.channel = channel;
    }

    /**
     * Adds the health endpoints: {@code /health/live} (200 while the process serves HTTP) and
     * {@code /health/ready}: 200 {@code {"status":"ready"}} when every readiness check passes, else 503
     * {@code {"status":"not ready","error":"not ready: ...","waitingFor":["master: ...", ...]}}.
     */
    public static void addHealthRoutes(HttpRoutes routes, Readiness readiness) {
        routes.add("GET", "/health/live", "health.live", r -> ApiResponse.json(200, Map.of("status", "live")));
        routes.add("GET", "/health/ready", "health.ready", r -> {
            List<String> waiting = readiness.waitingFor();
            if (waiting.isEmpty()) {
                return ApiResponse.json(200, Map.of("status", "ready"));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "not ready");
            body.put("error", "not ready: waiting for " + String.join("; ", waiting));
            body.put("waitingFor", waiting);
            return ApiResponse.json(503, body);
        });
    }

    /**
     * Binds and starts with the health and write endpoints only (tests of the write path).
     *
     * @param port 0 picks a free port
     */
    public static BrokerHttpServer start(
            String host, int port, int maxBodyBytes, int workerThreads, MetaCache meta, BatchSink writer) {
        BrokerMetrics metrics = new BrokerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        HttpRoutes routes = new HttpRoutes();
        addHealthRoutes(
                routes,
                new Readiness()
                        .require("metadata", () -> meta.watchedRevision() > 0, "no metadata read from etcd yet"));
        new WriteEndpoint(meta, writer, metrics, StringFieldPolicy.SKIP, LineShapes.DEFAULT_CAPACITY).register(routes);
        return start(host, port, maxBodyBytes, defaultInFlightBytes(maxBodyBytes), workerThreads, routes, metrics);
    }

    /** {@code broker.http.max-in-flight-bytes: 0}: an eighth of the heap, at least one largest body. */
    public static long defaultInFlightBytes(long maxBodyBytes) {
        return Math.max(maxBodyBytes, Runtime.getRuntime().maxMemory() / 8);
    }

    /**
     * Binds and starts serving {@code routes}.
     *
     * @param port             0 picks a free port
     * @param maxInFlightBytes request body bytes held at once (queued or handled); more is answered 503
     * @throws StorageIoException when the port cannot be bound
     */
    public static BrokerHttpServer start(
            String host,
            int port,
            int maxBodyBytes,
            long maxInFlightBytes,
            int workerThreads,
            HttpRoutes routes,
            BrokerMetrics metrics) {
        AtomicInteger ids = new AtomicInteger();
        ExecutorService workers = new ThreadPoolExecutor(
                workerThreads, workerThreads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(workerThreads * 4), r -> {
                    Thread t = new Thread(r, "meridian-http-" + ids.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        HttpRouter router =
                new HttpRouter(routes, workers, metrics, new InFlightBodies(maxInFlightBytes, metrics.registry()));
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        EventLoopGroup io = epoll ? new EpollEventLoopGroup() : new NioEventLoopGroup();
        try {
            Channel ch = new ServerBootstrap()
                    .group(boss, io)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline()
                                    .addLast(
                                            new HttpServerCodec(),
                                            new RequestDecompressor(),
                                            new JsonHttpObjectAggregator(maxBodyBytes),
                                            router);
                        }
                    })
                    .bind(new InetSocketAddress(host, port))
                    .sync()
                    .channel();
            LOG.info(
                    "broker HTTP server started [address={}, transport={}]",
                    ch.localAddress(),
                    epoll ? "epoll" : "nio");
            return new BrokerHttpServer(boss, io, workers, ch);
        } catch (Exception e) { // bind failures arrive as an undeclared java.net.BindException from sync()
            boss.shutdownGracefully();
            io.shutdownGracefully();
            workers.shutdownNow();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new StorageIoException(
                    "cannot start the broker HTTP server [host=" + host + ", port=" + port + "]",
                    e instanceof IOException ioe ? ioe : new IOException(e));
        }
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownNow();
    }
}
