package io.meridian.bench.prom;

import io.meridian.common.rpc.prometheus.Label;
import io.meridian.common.rpc.prometheus.Sample;
import io.meridian.common.rpc.prometheus.TimeSeries;
import io.meridian.common.rpc.prometheus.WriteRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * Prometheus remote-write ingest: node-exporter-like series ({@code hosts} x {@code metrics}, labels {@code
 * instance}, {@code job}, {@code dc}, {@code cpu}) sampled every {@code intervalMs} for {@code minutes}, cut into
 * snappy {@code WriteRequest}s of {@code samplesPerRequest} samples in time order, as Prometheus's queue sends
 * them (one sample per series per request), posted by {@code connections} client threads to each URL in turn
 * (the same bodies to Meridian and to a peer such as VictoriaMetrics). Bodies are built before the clock starts.
 */
public final class RemoteWriteBenchmark {
    /** One target's figures. */
    public record Result(String url, long samples, long elapsedNanos, long failures, String firstFailure) {
        double samplesPerSecond() {
            return samples / (elapsedNanos / 1e9);
        }
    }

    private RemoteWriteBenchmark() {}

    /** The request bodies: for each scrape time, every series once, cut every {@code samplesPerRequest}. */
    public static List<byte[]> bodies(
            int hosts, int metrics, int minutes, long intervalMs, int samplesPerRequest, long startMs)
            throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        double[] values = new double[hosts * metrics];
        List<byte[]> out = new ArrayList<>();
        WriteRequest.Builder request = WriteRequest.newBuilder();
        long scrapes = minutes * 60_000L / intervalMs;
        for (long s = 0; s < scrapes; s++) {
            long ts = startMs + s * intervalMs;
            for (int h = 0; h < hosts; h++) {
                for (int m = 0; m < metrics; m++) {
                    int i = h * metrics + m;
                    values[i] += m % 2 == 0 ? random.nextInt(1000) : 0; // counters grow, gauges stay
                    double v = m % 2 == 0 ? values[i] : Math.round(random.nextDouble() * 10_000) / 100.0;
                    request.addTimeseries(TimeSeries.newBuilder()
                            .addLabels(label("__name__", "node_metric_" + m + (m % 2 == 0 ? "_total" : "")))
                            .addLabels(label("cpu", Integer.toString(h % 8)))
                            .addLabels(label("dc", "dc" + (h % 4)))
                            .addLabels(label("instance", "host-" + h + ":9100"))
                            .addLabels(label("job", "node"))
                            .addSamples(Sample.newBuilder().setTimestamp(ts).setValue(v)));
                    if (request.getTimeseriesCount() == samplesPerRequest) {
                        out.add(Snappy.compress(request.build().toByteArray()));
                        request = WriteRequest.newBuilder();
                    }
                }
            }
        }
        if (request.getTimeseriesCount() > 0) {
            out.add(Snappy.compress(request.build().toByteArray()));
        }
        return out;
    }

    private static Label label(String name, String value) {
        return Label.newBuilder().setName(name).setValue(value).build();
    }

    /** Posts every body once to {@code url} over {@code connections} threads; 2xx counts, anything else fails. */
    public static Result run(String url, List<byte[]> bodies, int samplesPerBody, long totalSamples, int connections)
            throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicInteger next = new AtomicInteger();
        AtomicLong failures = new AtomicLong();
        AtomicLong samples = new AtomicLong();
        String[] firstFailure = new String[1];
        ExecutorService threads = Executors.newFixedThreadPool(connections);
        long started = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                done.add(threads.submit(() -> {
                    for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                        HttpResponse<String> r = http.send(
                                HttpRequest.newBuilder(URI.create(url))
                                        .header("Content-Encoding", "snappy")
                                        .header("Content-Type", "application/x-protobuf")
                                        .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() / 100 == 2) {
                            samples.addAndGet(
                                    i == bodies.size() - 1 ? totalSamples - (long) i * samplesPerBody : samplesPerBody);
                        } else {
                            failures.incrementAndGet();
                            synchronized (firstFailure) {
                                if (firstFailure[0] == null) {
                                    firstFailure[0] = r.statusCode() + " " + r.body();
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
        } finally {
            threads.shutdownNow();
        }
        return new Result(url, samples.get(), System.nanoTime() - started, failures.get(), firstFailure[0]);
    }

    /** {@code url=samples/s} lines, then the ratio of each to the first. */
    public static String report(List<Result> results) {
        StringBuilder s = new StringBuilder();
        for (Result r : results) {
            s.append(String.format(
                    Locale.ROOT,
                    "%-60s %,12d samples %8.2f s %,12.0f samples/s failures=%d%s%n",
                    r.url(),
                    r.samples(),
                    r.elapsedNanos() / 1e9,
                    r.samplesPerSecond(),
                    r.failures(),
                    r.firstFailure() == null ? "" : " first=" + r.firstFailure()));
        }
        if (results.size() > 1) {
            double base = results.get(0).samplesPerSecond();
            s.append("ratios to the first:");
            results.stream()
                    .skip(1)
                    .forEach(r -> s.append(String.format(Locale.ROOT, " %.2f", base / r.samplesPerSecond())));
            s.append('\n');
        }
        return s.toString();
    }
}
