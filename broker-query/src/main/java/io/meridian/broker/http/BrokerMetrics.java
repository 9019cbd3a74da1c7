package io.meridian.broker.http;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.ingest.LineShapes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The broker's own metrics (STYLE rule 19), registered on the node's registry and scraped at {@code /metrics}:
 * <ul>
 *   <li>{@code meridian_broker_http_requests_total{endpoint,status}} and
 *       {@code meridian_broker_http_request_seconds{endpoint,status}}: every HTTP request, by route name</li>
 *   <li>{@code meridian_broker_points_written_total}: points acknowledged to writers</li>
 *   <li>{@code meridian_broker_write_errors_total{code}}: refused or failed writes by stable error code</li>
 *   <li>{@code meridian_broker_write_skipped_total{what}}: what writes dropped by policy: {@code string_field}
 *       (line-protocol strings under {@code broker.write.string-fields: skip}), {@code line} (lines left with no
 *       numeric field), and the Prometheus remote-write samples and parts it does not store</li>
 *   <li>{@code meridian_broker_write_line_shapes}: line-protocol series shapes kept described for the next bodies
 *       ({@link LineShapes}); at its bound ({@code broker.write.line-shapes}) under a steady load, the series
 *       written outnumber it and line-protocol writes cost more CPU a point</li>
 * </ul>
 * Labels are bounded: the route name (not the path), the status, the error code name.
 */
public final class BrokerMetrics {
    private final MeterRegistry registry;
    private final Counter pointsWritten;

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.pointsWritten = Counter.builder("meridian.broker.points.written")
                .description("Points written through this broker and acknowledged by the shard leaders")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    void request(String endpoint, int status, long nanos) {
        String s = Integer.toString(status);
        Counter.builder("meridian.broker.http.requests")
                .description("HTTP requests answered, by endpoint and status")
                .tag("endpoint", endpoint)
                .tag("status", s)
                .register(registry)
                .increment();
        Timer.builder("meridian.broker.http.request")
                .description("HTTP request latency, by endpoint and status")
                .tag("endpoint", endpoint)
                .tag("status", s)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts what a write dropped by policy, e.g. {@code string_field}; {@code what} is a bounded name. */
    public void skipped(String what, long count) {
        if (count > 0) {
            Counter.builder("meridian.broker.write.skipped")
                    .description("Values and lines writes dropped by policy")
                    .tag("what", what)
                    .register(registry)
                    .increment(count);
        }
    }

    /** Reports how many line shapes {@code shapes} keeps. */
    void lineShapes(LineShapes shapes) {
        Gauge.builder("meridian.broker.write.line.shapes", shapes, LineShapes::size)
                .description("Line-protocol series shapes kept described for the next bodies")
                .register(registry);
    }

    public void pointsWritten(long points) {
        pointsWritten.increment(points);
    }

    void writeError(ErrorCode code) {
        Counter.builder("meridian.broker.write.errors")
                .description("Writes refused or failed, by stable error code")
                .tag("code", code.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }
}
