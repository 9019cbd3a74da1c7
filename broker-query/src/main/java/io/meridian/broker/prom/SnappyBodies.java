package io.meridian.broker.prom;

import io.meridian.common.error.InvalidInputException;
import java.io.IOException;
import org.xerial.snappy.Snappy;

/** Snappy block-format bodies of the Prometheus remote protocols (not the framed format). */
final class SnappyBodies {
    /** Bound on a decoded body: a remote-write request is a few MiB; this refuses decompression bombs. */
    static final int MAX_DECODED_BYTES = 256 << 20;

    private SnappyBodies() {}

    /** @param what names the request in errors, e.g. {@code remote write} */
    static byte[] decode(byte[] body, String what) {
        if (body.length == 0) {
            throw new InvalidInputException("empty " + what + " body: want a snappy-compressed protobuf");
        }
        try {
            if (!Snappy.isValidCompressedBuffer(body)) {
                throw new InvalidInputException("corrupt snappy body [request=" + what + ", bytes=" + body.length
                        + "]: want the snappy block format (Content-Encoding: snappy)");
            }
            int length = Snappy.uncompressedLength(body);
            if (length > MAX_DECODED_BYTES) {
                throw new InvalidInputException("snappy body too large [request=" + what + ", decodedBytes=" + length
                        + "]: want at most " + MAX_DECODED_BYTES);
            }
            return Snappy.uncompress(body);
        } catch (IOException e) {
            throw new InvalidInputException(
                    "corrupt snappy body [request=" + what + ", bytes=" + body.length + "]: " + e.getMessage());
        }
    }

    static byte[] encode(byte[] raw) {
        try {
            return Snappy.compress(raw);
        } catch (IOException e) {
            throw new IllegalStateException("BUG: snappy cannot compress " + raw.length + " bytes", e);
        }
    }
}
