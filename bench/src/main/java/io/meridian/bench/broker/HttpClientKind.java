package io.meridian.bench.broker;

/**
 * Which HTTP client the ingest load sends with: {@link #RAW} is {@link RawHttpClient} (one socket per client
 * thread, two writes per request), {@link #JDK} is {@code java.net.http.HttpClient} (HTTP/1.1, pooled).
 */
public enum HttpClientKind {
    RAW,
    JDK
}
