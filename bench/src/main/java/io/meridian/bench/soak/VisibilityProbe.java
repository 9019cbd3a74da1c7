package io.meridian.bench.soak;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long an acknowledged write takes to become visible to queries, under the soak's load (issue 17: the Kafka +
 * Flink path makes every point visible within 2 s, p99). Twice a second it writes one point of {@code
 * soak_visibility} with a sequence number and notes when the write was acknowledged; twenty times a second it asks
 * {@code SELECT MAX(seq)} and, for every sequence number that became visible, records the time since its
 * acknowledgment. In direct mode a write is visible once acknowledged, so this measures about one poll interval.
 */
final class VisibilityProbe {
    private static final long WRITE_EVERY_MS = 500;
    private static final long POLL_EVERY_MS = 50;
    private static final Pattern ROW = Pattern.compile("\"rows\":\\[\\[([0-9.Ee+-]+)\\]\\]");

    private final HttpClient http;
    private final String url;
    private final String db;
    /** The probe's first timestamp: each point is one millisecond after the previous one. */
    private final long baseMs;

    private final Map<Long, Long> ackedAtNanos = new ConcurrentHashMap<>();
    private final List<Double> latenciesMs = new ArrayList<>();
    private volatile String lastError;

    VisibilityProbe(HttpClient http, String url, String db, long baseMs) {
        this.http = http;
        this.url = url;
        this.db = db;
        this.baseMs = baseMs;
    }

    /** The two loops, until {@code endNanos}. */
    List<Thread> start(long endNanos) {
        Thread writer = new Thread(() -> writeLoop(endNanos), "soak-visibility-writes");
        Thread poller = new Thread(() -> pollLoop(endNanos), "soak-visibility-polls");
        writer.start();
        poller.start();
        return List.of(writer, poller);
    }

    /** The latencies seen since the last call, in milliseconds. */
    List<Double> drain() {
        synchronized (latenciesMs) {
            List<Double> copy = new ArrayList<>(latenciesMs);
            latenciesMs.clear();
            return copy;
        }
    }

    /** Sequence numbers acknowledged and not yet seen by a query. */
    int pending() {
        return ackedAtNanos.size();
    }

    String lastError() {
        return lastError;
    }

    private void writeLoop(long endNanos) {
        for (long seq = 1; System.nanoTime() < endNanos; seq++) {
            long tick = System.nanoTime();
            String line = "soak_visibility seq=" + seq + " " + (baseMs + seq);
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(url + "/write?db=" + db + "&precision=ms"))
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(line))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 204) {
                    ackedAtNanos.put(seq, System.nanoTime());
                } else {
                    lastError = "probe write: HTTP " + r.statusCode() + ": " + r.body();
                }
            } catch (IOException e) {
                lastError = "probe write: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            SoakBenchmark.sleepNanos(WRITE_EVERY_MS * 1_000_000 - (System.nanoTime() - tick));
        }
    }

    private void pollLoop(long endNanos) {
        String sql = "SELECT MAX(seq) AS s FROM soak_visibility";
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create(url + "/api/v1/sql?db=" + URLEncoder.encode(db, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(sql))
                .build();
        while (System.nanoTime() < endNanos) {
            long tick = System.nanoTime();
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                Matcher m = ROW.matcher(r.body());
                if (r.statusCode() == 200 && m.find()) {
                    seen((long) Double.parseDouble(m.group(1)), System.nanoTime());
                }
            } catch (IOException e) {
                lastError = "probe query: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            SoakBenchmark.sleepNanos(POLL_EVERY_MS * 1_000_000 - (System.nanoTime() - tick));
        }
    }

    /** Every acknowledged sequence number up to {@code maxSeq} is visible now. */
    private void seen(long maxSeq, long nowNanos) {
        for (var it = ackedAtNanos.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey() <= maxSeq) {
                synchronized (latenciesMs) {
                    latenciesMs.add(Math.max(0, nowNanos - e.getValue()) / 1e6);
                }
                it.remove();
            }
        }
    }
}
