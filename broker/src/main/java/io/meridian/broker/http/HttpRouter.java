package io.meridian.broker.http;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the broker's HTTP requests (API.md "HTTP"): health, and writes, which run on a bounded worker pool
 * because they wait for the shard leaders. Every error is a JSON body {@code {"error": "<what and where>"}}
 * with the status of its stable error code (400 bad input, 404 unknown database, 413 too large a body, 503
 * retriable: not ready, busy, a shard unavailable).
 */
@ChannelHandler.Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRouter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WriteEndpoint writes;
    private final BooleanSupplier ready;
    private final ExecutorService workers;

    HttpRouter(WriteEndpoint writes, BooleanSupplier ready, ExecutorService workers) {
        this.writes = writes;
        this.ready = ready;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.path();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (req.method() == HttpMethod.GET && path.equals("/health/live")) {
            send(ctx, keepAlive, HttpResponseStatus.OK, "{\"status\":\"live\"}");
        } else if (req.method() == HttpMethod.GET && path.equals("/health/ready")) {
            boolean ok = ready.getAsBoolean();
            send(ctx, keepAlive, ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    ok ? "{\"status\":\"ready\"}" : error("not ready: no metadata from etcd yet [path=" + path + "]"));
        } else if (path.equals("/api/v1/write") || path.equals("/write")) {
            if (req.method() != HttpMethod.POST) {
                send(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, error("method not allowed [method="
                        + req.method() + ", path=" + path + "]: use POST"));
                return;
            }
            byte[] body = ByteBufUtil.getBytes(req.content());
            String db = param(uri, "db");
            String precision = param(uri, "precision");
            long received = System.currentTimeMillis();
            try {
                workers.execute(() -> {
                    try {
                        writes.write(db, precision, body, received);
                        send(ctx, keepAlive, HttpResponseStatus.NO_CONTENT, null);
                    } catch (RuntimeException e) {
                        fail(ctx, keepAlive, e, "cannot write [db=" + db + ", path=" + path + "]");
                    }
                });
            } catch (RejectedExecutionException e) {
                send(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, error("broker is busy: too many writes "
                        + "in flight [path=" + path + "]; retry shortly"));
            }
        } else {
            send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error("no such endpoint [method=" + req.method()
                    + ", path=" + path + "]"));
        }
    }

    private static String param(QueryStringDecoder uri, String name) {
        List<String> v = uri.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static void fail(ChannelHandlerContext ctx, boolean keepAlive, RuntimeException e, String context) {
        int status = e instanceof MeridianException m ? m.code().httpStatus() : 500;
        if (status >= 500 && !(e instanceof MeridianException m && m.isRetriable())) {
            LOG.error("request failed [{}]", context, e);
        }
        send(ctx, keepAlive, HttpResponseStatus.valueOf(status), error(context + ": " + e.getMessage()));
    }

    static String error(String message) {
        try {
            return JSON.writeValueAsString(Map.of("error", message));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String json) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, json == null
                ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        if (json != null) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        HttpUtil.setContentLength(res, res.content().readableBytes());
        if (keepAlive) {
            HttpUtil.setKeepAlive(res, true);
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
