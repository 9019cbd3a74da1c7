package io.meridian.broker.http;

import io.meridian.common.error.MeridianException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches the broker's HTTP requests through a {@link HttpRoutes} table (API.md "HTTP"). Every endpoint runs
 * on a bounded worker pool, because most of them wait (on storage, the master or etcd); a full pool answers 503.
 * Every error is a JSON body {@code {"error": "<what and where>"}} with the status of its stable error code
 * (400 bad input, 404 unknown, 405 wrong method, 409 exists, 413 too large a body, 503 retriable). Every answer
 * is counted in {@link BrokerMetrics} under the route's endpoint name.
 */
@ChannelHandler.Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRouter.class);

    private final HttpRoutes routes;
    private final ExecutorService workers;
    private final BrokerMetrics metrics;
    private final InFlightBodies inFlight;

    HttpRouter(HttpRoutes routes, ExecutorService workers, BrokerMetrics metrics, InFlightBodies inFlight) {
        this.routes = routes;
        this.workers = workers;
        this.metrics = metrics;
        this.inFlight = inFlight;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        long started = System.nanoTime();
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.path();
        String method = req.method().name();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        Optional<HttpRoutes.Match> match = routes.match(method, path);
        if (match.isEmpty()) {
            boolean known = routes.hasPath(path);
            ApiResponse r = known
                    ? ApiResponse.error(405, "method not allowed [method=" + method + ", path=" + path + "]")
                    : ApiResponse.error(404, "no such endpoint [method=" + method + ", path=" + path + "]");
            send(ctx, keepAlive, r);
            metrics.request(known ? "method-not-allowed" : "unknown", r.status(), System.nanoTime() - started);
            return;
        }
        HttpRoutes.Route route = match.get().route();
        Map<String, String> headers = new HashMap<>();
        req.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        CompletableFuture<Void> clientGone = new CompletableFuture<>();
        ChannelFutureListener onClose = f -> clientGone.complete(null);
        byte[] body = ByteBufUtil.getBytes(req.content());
        if (!inFlight.tryAcquire(body.length)) {
            ApiResponse r = ApiResponse.error(
                            503,
                            "broker is busy: request bodies in flight are at their bound [path="
                                    + path + ", inFlightBytes=" + inFlight.inFlight()
                                    + ", limit=broker.http.max-in-flight-bytes="
                                    + inFlight.limit() + "]; retry shortly")
                    .withHeader("Retry-After", "1");
            send(ctx, keepAlive, r);
            metrics.request(route.endpoint(), r.status(), System.nanoTime() - started);
            return;
        }
        ApiRequest request = new ApiRequest(
                method,
                path,
                req.uri(),
                match.get().pathParams(),
                uri.parameters(),
                headers,
                body,
                System.currentTimeMillis(),
                clientGone);
        try {
            workers.execute(() -> {
                ctx.channel().closeFuture().addListener(onClose);
                ApiResponse r;
                try {
                    r = run(route, request);
                } finally {
                    ctx.channel().closeFuture().removeListener(onClose); // keep-alive: listeners must not pile up
                    inFlight.release(body.length);
                }
                send(ctx, keepAlive, r);
                metrics.request(route.endpoint(), r.status(), System.nanoTime() - started);
            });
        } catch (RejectedExecutionException e) {
            inFlight.release(body.length);
            ApiResponse r = ApiResponse.error(
                            503, "broker is busy: too many requests in flight [path=" + path + "]; retry shortly")
                    .withHeader("Retry-After", "1");
            send(ctx, keepAlive, r);
            metrics.request(route.endpoint(), r.status(), System.nanoTime() - started);
        }
    }

    private static ApiResponse run(HttpRoutes.Route route, ApiRequest request) {
        try {
            return route.handler().handle(request);
        } catch (RuntimeException e) {
            return failure(e, "request failed [method=" + request.method() + ", path=" + request.path() + "]");
        }
    }

    /** The JSON error answer of an exception: its code's status, its message after {@code context}. */
    static ApiResponse failure(RuntimeException e, String context) {
        int status = e instanceof MeridianException m ? m.code().httpStatus() : 500;
        if (status >= 500 && !(e instanceof MeridianException m && m.isRetriable())) {
            LOG.error("request failed [{}]", context, e);
        }
        return ApiResponse.error(
                status, context + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }

    static String error(String message) {
        return ApiResponse.error(500, message).body();
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, ApiResponse r) {
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()),
                r.bytes() != null
                        ? Unpooled.wrappedBuffer(r.bytes())
                        : r.body() == null
                                ? Unpooled.EMPTY_BUFFER
                                : Unpooled.copiedBuffer(r.body(), StandardCharsets.UTF_8));
        if (r.contentType() != null) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        }
        r.headers().forEach((name, value) -> res.headers().set(name, value));
        HttpUtil.setContentLength(res, res.content().readableBytes());
        if (keepAlive) {
            HttpUtil.setKeepAlive(res, true);
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
