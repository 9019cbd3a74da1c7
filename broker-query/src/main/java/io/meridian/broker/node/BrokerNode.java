package io.meridian.broker.node;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.meridian.broker.admin.ReplicaFlusher;
import io.meridian.broker.health.BrokerReadinessChecks;
import io.meridian.broker.health.Readiness;
import io.meridian.broker.http.BrokerApi;
import io.meridian.broker.http.BrokerHttpServer;
import io.meridian.broker.http.BrokerMetrics;
import io.meridian.broker.http.FlushEndpoint;
import io.meridian.broker.http.HttpRoutes;
import io.meridian.broker.http.MasterGateway;
import io.meridian.broker.influx.InfluxQueryEndpoint;
import io.meridian.broker.jdbc.AvaticaEndpoint;
import io.meridian.broker.prom.PromReadEndpoint;
import io.meridian.broker.prom.PromWriteEndpoint;
import io.meridian.broker.query.BrokerQueryService;
import io.meridian.broker.query.DistributedQueryExecutor;
import io.meridian.broker.query.NativeQueryCodec;
import io.meridian.broker.query.QueryContext;
import io.meridian.broker.query.SqlWarmUp;
import io.meridian.broker.sql.BrokerCatalogService;
import io.meridian.broker.sql.SqlEndpoint;
import io.meridian.broker.sql.StorageCatalog;
import io.meridian.broker.write.BatchSink;
import io.meridian.broker.write.CheckedBatchSink;
import io.meridian.broker.write.FieldDeclarer;
import io.meridian.broker.write.IngestLag;
import io.meridian.broker.write.KafkaShardWriter;
import io.meridian.broker.write.ShardWriter;
import io.meridian.broker.write.WriteMode;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.query.QueryExecutor;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.client.ShardLeaderClient;
import io.meridian.meta.master.MasterService;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.registry.NodeRegistrar;
import io.meridian.meta.store.MetaStore;
import io.meridian.sql.SqlEngine;
import io.meridian.sql.influxql.InfluxQlService;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker: the composition root of the broker role.
 *
 * <pre>
 *   etcd <--MetaStore--+--MetaCache (watch; snapshot in {data-dir}/.meta) --> routing --> ShardWriter, FieldDeclarer
 *   writes: CheckedBatchSink (BatchRules) -> broker.write.mode direct -> ShardWriter (shard leaders)
 *                                           | kafka -> KafkaShardWriter (ingest topic)
 *                      +--MasterService (candidate; advertises host:httpPort for forwarded DDL)
 *                      +--NodeRegistrar (NodeInfo role=broker, host, grpcPort, httpPort, idc)
 *   clients --HTTP--> BrokerHttpServer --HttpRoutes--> health, write, databases (via MasterGateway), fields,
 *                                                      cluster, SQL, JDBC, /metrics
 *   brokers --gRPC--> Server (NettyServerBuilder) --> distributed query, catalog, + the caller's services
 * </pre>
 *
 * <p>Start order: store, cache, metrics, writer, gRPC server, HTTP server, master, registrar (registered last,
 * with the bound ports). {@link #close()} deregisters first, then stops the HTTP and gRPC servers, the master
 * (resigning, so another broker takes over at once), the writers, the cache and the etcd client. A failure to
 * close one part does not stop the others; the first is rethrown with the rest suppressed.
 */
public final class BrokerNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerNode.class);
    /** Directory under {@code node.data-dir} of the metadata snapshot. */
    public static final String META_DIR = ".meta";
    /** How long one replica's flush ({@code POST /api/v1/databases/{db}/flush}) may take: it writes its memtable. */
    static final Duration FLUSH_CALL_TIMEOUT = Duration.ofMinutes(5);

    private final BrokerNodeConfig config;
    private final Parts parts;
    private final NodeInfo self;
    private boolean closed;

    /** Everything started, closed in {@link #close()}'s order. */
    private static final class Parts {
        MetaStore store;
        MetaCache cache;
        PrometheusMeterRegistry registry;
        ShardLeaderClient leaders;
        BatchSink writer;
        FieldDeclarer declarer;
        DistributedQueryExecutor queries;
        StorageCatalog catalog;
        AvaticaEndpoint avatica;
        Server grpc;
        BrokerHttpServer http;
        MasterService master;
        NodeRegistrar registrar;
        final List<AutoCloseable> binders = new ArrayList<>();

        /** Closes in order: deregister, servers, master, writers, cache, store; returns the first failure. */
        RuntimeException closeAll(RuntimeException prior) {
            List<AutoCloseable> order = new ArrayList<>();
            order.add(registrar);
            order.add(http);
            order.add(
                    grpc == null
                            ? null
                            : () -> {
                                grpc.shutdown();
                                if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
                                    grpc.shutdownNow();
                                }
                            });
            order.add(master);
            order.add(queries);
            order.add(catalog);
            order.add(avatica);
            order.add(writer);
            order.add(leaders);
            order.add(cache);
            order.add(store);
            order.addAll(binders);
            order.add(registry == null ? null : registry::close);
            RuntimeException first = prior;
            for (AutoCloseable part : order) {
                if (part == null) {
                    continue;
                }
                try {
                    part.close();
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    RuntimeException re = e instanceof RuntimeException r
                            ? r
                            : new IllegalStateException(
                                    "cannot close " + part.getClass().getSimpleName(), e);
                    if (first == null) {
                        first = re;
                    } else {
                        first.addSuppressed(re);
                    }
                }
            }
            return prior == null ? first : null;
        }
    }

    private BrokerNode(BrokerNodeConfig config, Parts parts, NodeInfo self) {
        this.config = config;
        this.parts = parts;
        this.self = self;
    }

    /**
     * Starts a broker whose gRPC server serves {@code services} besides its own (pass an empty list for none).
     *
     * @throws StorageIoException when the data directory cannot be created or a port cannot be bound
     */
    public static BrokerNode start(BrokerNodeConfig config, List<BindableService> services) {
        return start(config, services, new Readiness());
    }

    /**
     * Starts a broker whose {@code /health/ready} also waits for the checks already in {@code readiness} (e.g.
     * an embedder's gate for a component it starts after the broker). The broker adds its own checks to it.
     *
     * @throws StorageIoException when the data directory cannot be created or a port cannot be bound
     */
    public static BrokerNode start(BrokerNodeConfig config, List<BindableService> services, Readiness readiness) {
        return start(config, services, readiness, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /**
     * Starts a broker whose {@code /metrics} serves {@code registry}: its own meters and the JVM's, registered there
     * now, and whatever else the embedder registers in it (standalone's storage node). The broker closes it.
     */
    public static BrokerNode start(
            BrokerNodeConfig config,
            List<BindableService> services,
            Readiness readiness,
            PrometheusMeterRegistry registry) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(readiness, "readiness");
        List<BindableService> extraServices = List.copyOf(services);
        Parts p = new Parts();
        try {
            createDirectory(config.dataDir());
            p.store = MetaStore.connect(config.meta());
            p.cache = new MetaCache(p.store, config.dataDir().resolve(META_DIR), config.idc()).start();
            p.registry = registry;
            bindJvmMetrics(p);
            BrokerMetrics metrics = new BrokerMetrics(p.registry);
            MetaCache cache = p.cache;
            p.leaders = new ShardLeaderClient(
                    cache::routing,
                    db -> cache.snapshot().revision() > 0
                            && !cache.snapshot().databases().containsKey(db),
                    ShardWriter.policy(config.writeTimeout()));
            BatchSink sink = config.writeMode() == WriteMode.KAFKA
                    ? new KafkaShardWriter(config.kafka())
                    : new ShardWriter(p.leaders);
            if (config.writeMode() == WriteMode.KAFKA) {
                IngestLag lag = new IngestLag(
                        config.kafka().bootstrapServers(),
                        config.kafka().topic(),
                        config.kafka().ingestGroup());
                p.binders.add(lag);
                lag.bindTo(p.registry);
            }
            p.writer = new CheckedBatchSink(
                    sink, db -> cache.snapshot().databases().get(db), Clock.systemUTC());
            p.declarer = new FieldDeclarer(p.leaders);
            AtomicReference<MasterService> master = new AtomicReference<>();
            BrokerReadinessChecks.register(readiness, p.cache, p.writer);

            NettyServerBuilder grpc =
                    NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.grpcPort()));
            p.queries = new DistributedQueryExecutor(p.cache::snapshot, config.idc(), p.registry);
            grpc.addService(new BrokerQueryService(p.queries, config.queryTimeout()));
            p.catalog = new StorageCatalog(p.cache::snapshot, config.idc(), Duration.ofSeconds(2));
            grpc.addService(new BrokerCatalogService(p.catalog));
            extraServices.forEach(grpc::addService);
            p.grpc = startGrpc(grpc, config);

            HttpRoutes routes = new HttpRoutes();
            MasterGateway gateway =
                    new MasterGateway(config.nodeId(), master::get, p.cache::snapshot, config.writeTimeout());
            BrokerApi.register(
                    routes,
                    readiness,
                    p.cache,
                    p.writer,
                    p.declarer,
                    gateway,
                    p.queries,
                    new NativeQueryCodec(config.queryTimeout(), config.queryMaxGroups()),
                    p.registry,
                    metrics,
                    config.stringFields(),
                    config.lineShapes());
            DistributedQueryExecutor queries = p.queries;
            QueryExecutor sqlExecutor = spec -> {
                try (QueryContext q = QueryContext.start(UUID.randomUUID().toString(), spec.timeout())) {
                    return queries.execute(spec, q);
                }
            };
            SqlEngine sql = new SqlEngine(p.catalog, sqlExecutor, config.queryTimeout(), config.queryMaxGroups());
            new SqlEndpoint(sql).register(routes);
            new PromWriteEndpoint(
                            p.cache, p.writer, metrics, config.prometheusDatabase(), config.prometheusSeriesCache())
                    .register(routes);
            new PromReadEndpoint(p.catalog, sql, config.prometheusDatabase()).register(routes);
            ReplicaFlusher flusher = new ReplicaFlusher(p.cache::snapshot, FLUSH_CALL_TIMEOUT);
            p.binders.add(flusher);
            new FlushEndpoint(flusher).register(routes);
            new InfluxQueryEndpoint(new InfluxQlService(p.catalog, sql, Clock.systemUTC())).register(routes);
            p.avatica = new AvaticaEndpoint(sql);
            p.avatica.register(routes);
            p.http = BrokerHttpServer.start(
                    config.host(),
                    config.httpPort(),
                    config.httpMaxBodyBytes(),
                    config.httpMaxInFlightBytes(),
                    config.httpWorkerThreads(),
                    routes,
                    metrics);

            SqlWarmUp.startOnce(); // the planner's one-time cost, paid now rather than by the first query
            String httpAddress = config.host() + ":" + p.http.port();
            p.master = new MasterService(p.store, config.nodeId(), httpAddress, config.master(), Clock.systemUTC());
            master.set(p.master);
            p.master.start();

            NodeInfo self = new NodeInfo(
                    config.nodeId(),
                    NodeRole.BROKER,
                    config.host(),
                    p.grpc.getPort(),
                    p.http.port(),
                    config.idc(),
                    config.idc(),
                    version(),
                    Instant.now());
            p.registrar =
                    new NodeRegistrar(p.store, self, config.leaseTtl(), () -> NodeReport.empty(self.id())).start();
            LOG.info(
                    "broker started [node={}, http={}, grpc={}, idc={}, dataDir={}, etcd={}, root={}]",
                    self.id(),
                    httpAddress,
                    self.address(),
                    self.idc(),
                    config.dataDir(),
                    config.meta().endpoints(),
                    config.meta().root());
            return new BrokerNode(config, p, self);
        } catch (RuntimeException e) {
            p.closeAll(e);
            throw e;
        }
    }

    private static Server startGrpc(NettyServerBuilder builder, BrokerNodeConfig config) {
        try {
            return builder.build().start();
        } catch (IOException e) {
            throw new StorageIoException(
                    "cannot start the broker gRPC server [host=" + config.host() + ", port=" + config.grpcPort() + "]",
                    e);
        }
    }

    private static void bindJvmMetrics(Parts p) {
        new ClassLoaderMetrics().bindTo(p.registry);
        new JvmMemoryMetrics().bindTo(p.registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(p.registry);
        p.binders.add(gc);
        new JvmThreadMetrics().bindTo(p.registry);
        new ProcessorMetrics().bindTo(p.registry);
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageIoException("cannot create the broker's data directory [node.data-dir=" + dir + "]", e);
        }
    }

    private static String version() {
        String v = BrokerNode.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** This broker as registered: id, host, the bound gRPC and HTTP ports, IDC. */
    public NodeInfo self() {
        return self;
    }

    public BrokerNodeConfig config() {
        return config;
    }

    /** The bound HTTP port. */
    public int httpPort() {
        return parts.http.port();
    }

    /** The bound gRPC port. */
    public int grpcPort() {
        return parts.grpc.getPort();
    }

    /** {@code http://host:httpPort}. */
    public String httpUrl() {
        return "http://" + config.host() + ":" + httpPort();
    }

    public MetaCache cache() {
        return parts.cache;
    }

    public MetaStore store() {
        return parts.store;
    }

    public MasterService master() {
        return parts.master;
    }

    public PrometheusMeterRegistry meterRegistry() {
        return parts.registry;
    }

    /** Whether the broker's registration was in etcd at the last check. */
    public boolean isRegistered() {
        return parts.registrar.isRegistered();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        RuntimeException first = parts.closeAll(null);
        LOG.info("broker stopped [node={}, ms={}]", self.id(), (System.nanoTime() - started) / 1_000_000);
        if (first != null) {
            throw first;
        }
    }
}
