package io.meridian.broker.http;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContentDecompressor;

/**
 * Decodes {@code Content-Encoding: gzip | deflate | br | zstd} request bodies, and leaves {@code snappy} alone:
 * Prometheus remote write and read send snappy's <em>block</em> format, which the endpoints decode themselves,
 * while netty would read it as the framed format and fail.
 */
final class RequestDecompressor extends HttpContentDecompressor {
    @Override
    protected EmbeddedChannel newContentDecoder(String contentEncoding) throws Exception {
        return "snappy".equalsIgnoreCase(contentEncoding.trim()) ? null : super.newContentDecoder(contentEncoding);
    }
}
