package io.meridian.broker.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * netty's aggregator, answering a body over the bound with a JSON error (API.md: every error is JSON) instead
 * of an empty 413. The connection is closed after it: the rest of the oversized body is never read.
 */
final class JsonHttpObjectAggregator extends HttpObjectAggregator {
    private final int maxBodyBytes;

    JsonHttpObjectAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        String path = oversized instanceof HttpRequest r ? r.uri() : "?";
        String json = ApiResponse.error(
                        413,
                        "request body too large [uri=" + path + ", max=" + maxBodyBytes
                                + " bytes]: split the request or raise broker.http.max-body")
                .body();
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        HttpUtil.setContentLength(res, res.content().readableBytes());
        if (HttpUtil.isKeepAlive(oversized)) {
            // keep reading: the aggregator discards the rest of this body, and a client still sending it gets the
            // answer instead of a reset connection (closing here raced the client's write: "broken pipe")
            HttpUtil.setKeepAlive(res, true);
            ctx.writeAndFlush(res);
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
