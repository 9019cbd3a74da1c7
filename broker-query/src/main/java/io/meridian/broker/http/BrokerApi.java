package io.meridian.broker.http;

import io.meridian.broker.health.Readiness;
import io.meridian.broker.query.DistributedQueryExecutor;
import io.meridian.broker.query.NativeQueryCodec;
import io.meridian.broker.write.BatchSink;
import io.meridian.broker.write.FieldDeclarer;
import io.meridian.common.lineprotocol.StringFieldPolicy;
import io.meridian.meta.cache.MetaCache;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Registers the broker's built-in HTTP API (API.md "HTTP") on a routing table: health, writes, database DDL
 * and reads, field declarations, the cluster view and {@code /metrics}. Other endpoints (SQL) are added to the
 * same {@link HttpRoutes} by whoever owns them.
 */
public final class BrokerApi {
    /** Prometheus text exposition format 0.0.4. */
    public static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private BrokerApi() {}

    public static void register(
            HttpRoutes routes,
            Readiness readiness,
            MetaCache cache,
            BatchSink writer,
            FieldDeclarer declarer,
            MasterGateway master,
            DistributedQueryExecutor queries,
            NativeQueryCodec queryCodec,
            PrometheusMeterRegistry registry,
            BrokerMetrics metrics,
            StringFieldPolicy stringFields,
            int lineShapes) {
        BrokerHttpServer.addHealthRoutes(routes, readiness);
        new WriteEndpoint(cache, writer, metrics, stringFields, lineShapes).register(routes);
        new DatabasesEndpoint(master, cache).register(routes);
        new ClustersEndpoint(master, cache::snapshot).register(routes);
        new MetricFieldsEndpoint(cache::snapshot, declarer).register(routes);
        new ClusterEndpoint(cache::snapshot).register(routes);
        new QueryEndpoint(queries, queryCodec).register(routes);
        routes.add("GET", "/metrics", "metrics", r -> ApiResponse.text(200, registry.scrape(), PROMETHEUS_TYPE));
    }
}
