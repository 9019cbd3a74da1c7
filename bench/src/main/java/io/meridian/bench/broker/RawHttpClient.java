package io.meridian.bench.broker;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client over one kept-alive socket: a request is written in two writes (head, then the
 * pre-built body) and the answer's status and {@code Content-Length} body are read back. It does what the load
 * needs and nothing more (no chunked answers, no redirects, no TLS), so that the client costs little next to the
 * server on a shared 2-core machine. Not thread-safe: one per client thread.
 */
final class RawHttpClient implements AutoCloseable {
    private static final int SOCKET_BUFFER_BYTES = 1 << 20;
    private static final int MAX_HEADER_LINE_BYTES = 8192;

    /** The status and body of one answer. */
    record Answer(int status, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String host;
    private final int port;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private final StringBuilder line = new StringBuilder();

    RawHttpClient(String host, int port) {
        this.host = host;
        this.port = port;
    }

    Answer post(String pathAndQuery, String contentType, byte[] body) throws IOException {
        if (socket == null) {
            connect();
        }
        String head = "POST " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ':' + port + "\r\nContent-Type: "
                + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        try {
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return readAnswer();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSendBufferSize(SOCKET_BUFFER_BYTES);
        s.connect(new InetSocketAddress(host, port), 5_000);
        socket = s;
        out = s.getOutputStream();
        in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
    }

    private Answer readAnswer() throws IOException {
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("bad status line: got \"" + status + "\"; want \"HTTP/1.1 NNN ...\"");
        }
        int code = Integer.parseInt(status.substring(9, 12));
        int length = code == 204 || code == 304 ? 0 : -1;
        boolean closeAfter = false;
        for (String h = readLine(); !h.isEmpty(); h = readLine()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:")) {
                throw new IOException("chunked answers are not supported [status=" + code + "]");
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                closeAfter = true;
            }
        }
        if (length < 0) {
            throw new IOException("answer without content-length [status=" + code + "]");
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("connection closed in the answer's body [status=" + code + ", got=" + body.length
                    + ", want=" + length + "]");
        }
        if (closeAfter) {
            close();
        }
        return new Answer(code, body);
    }

    private String readLine() throws IOException {
        line.setLength(0);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed by the server in an answer's head");
            }
            if (c != '\r') {
                line.append((char) c);
            }
            if (line.length() > MAX_HEADER_LINE_BYTES) {
                throw new IOException("header line longer than " + MAX_HEADER_LINE_BYTES + " bytes");
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket we no longer use; nothing to carry
            }
            socket = null;
        }
    }
}
