package io.meridian.broker.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * What an operator watches of distributed queries on this broker: query latency and outcomes (by error code),
 * leaf fragment latency and replica retries, remote IDC fragments, and partial answers.
 */
public final class QueryMetrics {
    private final MeterRegistry registry;
    private final Timer queries;
    private final Timer leaves;
    private final Counter leafRetries;
    private final Timer remoteFragments;
    private final Counter partialAnswers;

    public QueryMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.queries = Timer.builder("meridian.broker.query.latency")
                .description("root query time, all fragments included")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.leaves = Timer.builder("meridian.broker.query.leaf.latency")
                .description("one shard's leaf query, streamed")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.leafRetries = Counter.builder("meridian.broker.query.leaf.retries")
                .description("leaf queries moved to another replica after a retriable failure")
                .register(registry);
        this.remoteFragments = Timer.builder("meridian.broker.query.remote.latency")
                .description("an intermediate fragment run by a broker of another IDC")
                .register(registry);
        this.partialAnswers = Counter.builder("meridian.broker.query.partial")
                .description("answers that left out an IDC (the request allowed partial results)")
                .register(registry);
    }

    void queryDone(long nanos, String outcome) {
        queries.record(nanos, TimeUnit.NANOSECONDS);
        registry.counter("meridian.broker.query.outcomes", "outcome", outcome).increment();
    }

    void leafDone(long nanos) {
        leaves.record(nanos, TimeUnit.NANOSECONDS);
    }

    void leafRetried() {
        leafRetries.increment();
    }

    void remoteDone(long nanos) {
        remoteFragments.record(nanos, TimeUnit.NANOSECONDS);
    }

    void partialAnswer() {
        partialAnswers.increment();
    }
}
