package io.meridian.broker.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bound on request body bytes a broker holds at once (queued for a worker or being handled): a request that
 * would take it over is answered 503 with {@code Retry-After} at once instead of being queued, so an overloaded
 * broker slows its clients down rather than growing its heap ({@code broker.http.max-in-flight-bytes}). A single
 * body is always admitted when nothing else is in flight, so a bound below {@code broker.http.max-body} cannot
 * refuse a body for good.
 *
 * <p>Exported as {@code meridian_broker_http_in_flight_bytes}. Thread-safe.
 */
final class InFlightBodies {
    private final long limit;
    private final AtomicLong bytes = new AtomicLong();

    InFlightBodies(long limit, MeterRegistry registry) {
        this.limit = limit;
        Gauge.builder("meridian.broker.http.in.flight", bytes, AtomicLong::get)
                .baseUnit("bytes")
                .description("Request body bytes held by this broker: queued or being handled")
                .register(registry);
    }

    /** Takes {@code n} bytes of the bound; false (nothing taken) when they do not fit. */
    boolean tryAcquire(long n) {
        if (n == 0) {
            return true; // no body (health checks, GETs): nothing to bound
        }
        while (true) {
            long now = bytes.get();
            if (now > 0 && now + n > limit) {
                return false;
            }
            if (bytes.compareAndSet(now, now + n)) {
                return true;
            }
        }
    }

    void release(long n) {
        bytes.addAndGet(-n);
    }

    long limit() {
        return limit;
    }

    long inFlight() {
        return bytes.get();
    }
}
