package io.meridian.bench.broker;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends pre-built write bodies to {@code POST /api/v1/write} over {@code connections} kept-alive HTTP/1.1
 * connections, one client thread each, taking the next body from a shared index until none is left. 204 is
 * success; 503 (the shard leader answered BUSY) is retried after {@link #BUSY_BACKOFF_MS} and counted; any other
 * answer (or 503 for longer than {@link #BUSY_GIVE_UP_NANOS}) is counted as a failure and not retried.
 */
final class IngestLoad {
    static final long BUSY_BACKOFF_MS = 2;
    /** A body still answered 503 after this long is counted as a failure, so a lost shard cannot hang the load. */
    static final long BUSY_GIVE_UP_NANOS = 30_000_000_000L;

    private static final int STATUS_BUSY = 503;
    private static final int STATUS_WRITTEN = 204;

    /** What one load did. */
    record Outcome(long elapsedNanos, long written, long busyRetries, long failures, String firstFailure) {}

    private final int port;
    private final String path;

    IngestLoad(int port, String db) {
        this.port = port;
        this.path = "/api/v1/write?db=" + db + "&precision=ms";
    }

    Outcome run(List<byte[]> bodies, int connections, HttpClientKind kind) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong written = new AtomicLong();
        AtomicLong busy = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        HttpClient jdk = kind == HttpClientKind.JDK
                ? HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                : null;
        URI uri = URI.create("http://127.0.0.1:" + port + path);
        ExecutorService threads = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> done = new ArrayList<>();
            long started = System.nanoTime();
            for (int c = 0; c < connections; c++) {
                done.add(threads.submit(() -> {
                    try (RawHttpClient raw = new RawHttpClient("127.0.0.1", port)) {
                        for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                            byte[] body = bodies.get(i);
                            long giveUp = System.nanoTime() + BUSY_GIVE_UP_NANOS;
                            while (true) {
                                int status;
                                String text;
                                if (jdk != null) {
                                    HttpResponse<String> r = jdk.send(
                                            HttpRequest.newBuilder(uri)
                                                    .header("Content-Type", "text/plain")
                                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString());
                                    status = r.statusCode();
                                    text = r.body();
                                } else {
                                    RawHttpClient.Answer a = raw.post(path, "text/plain", body);
                                    status = a.status();
                                    text = status == STATUS_WRITTEN ? "" : a.bodyText();
                                }
                                if (status == STATUS_WRITTEN) {
                                    written.incrementAndGet();
                                    break;
                                } else if (status == STATUS_BUSY && System.nanoTime() < giveUp) {
                                    busy.incrementAndGet();
                                    Thread.sleep(BUSY_BACKOFF_MS);
                                } else {
                                    failures.incrementAndGet();
                                    firstFailure.compareAndSet(null, status + " " + text);
                                    break;
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            long elapsed = System.nanoTime() - started;
            return new Outcome(elapsed, written.get(), busy.get(), failures.get(), firstFailure.get());
        } finally {
            threads.shutdownNow();
        }
    }
}
