package io.meridian.bench.broker;

/**
 * Latency of one query shape through the broker and directly on the leaves (milliseconds, over the same
 * queries), and the rows the broker answered for the first one.
 */
public record ShapeLatency(String shape, double brokerMedianMs, double brokerP90Ms, double leafMedianMs,
                           double leafP90Ms, int rows) {
    /** What the broker adds to the median: median(broker) - median(leaf). */
    public double overheadMs() {
        return brokerMedianMs - leafMedianMs;
    }
}
