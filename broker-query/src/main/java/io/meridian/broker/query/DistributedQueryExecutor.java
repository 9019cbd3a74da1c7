package io.meridian.broker.query;

import io.grpc.Deadline;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.IdcUnavailableException;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.QueryCancelledException;
import io.meridian.common.error.QueryTimeoutException;
import io.meridian.common.query.PartialTable;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import io.meridian.common.rpc.ChannelPool;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.broker.v1.BrokerQueryServiceGrpc;
import io.meridian.common.rpc.broker.v1.ClusterPartialRequest;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.StorageCluster;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root fragment of a distributed query (ARCHITECTURE §6, §8). Each storage cluster of the database is one
 * share: a cluster of this broker's IDC is read here ({@link ClusterFanout}); a cluster of another IDC is sent
 * to a broker of that IDC ({@code ClusterPartial}, tried broker by broker), which reads its leaves and returns
 * their merged partials. The root merges the shares and finishes the result.
 *
 * <p>An IDC whose share fails with a retriable error (no broker answered, a shard with no live replica, its
 * share's time ran out) makes the query fail with an {@link IdcUnavailableException} naming it, unless the query
 * allows partial results: then the answer lists it as missing. When the whole query's deadline passes, the
 * error is a timeout naming the IDC and broker still awaited. To leave time for that answer, remote shares
 * get the query's deadline minus a reserve of a tenth of the timeout (at most one second). Errors that are not
 * retriable (bad input, the group bound) always fail the query.
 */
public final class DistributedQueryExecutor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedQueryExecutor.class);
    private static final int CELLS_PER_CHUNK = 4096;

    private final Supplier<MetaSnapshot> meta;
    private final String homeIdc;
    private final ChannelPool channels = new ChannelPool();
    private final ExecutorService executor;
    private final QueryMetrics metrics;
    private final ClusterFanout fanout;
    private final AtomicInteger rotation = new AtomicInteger();

    /**
     * @param meta    the current metadata (a {@code MetaCache}'s snapshot)
     * @param homeIdc this broker's IDC
     */
    public DistributedQueryExecutor(Supplier<MetaSnapshot> meta, String homeIdc, MeterRegistry registry) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.homeIdc = Objects.requireNonNull(homeIdc, "homeIdc");
        AtomicInteger ids = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "meridian-query-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.metrics = new QueryMetrics(registry);
        this.fanout = new ClusterFanout(channels, executor, metrics);
    }

    /** Runs {@code spec} as the root and returns the finished answer. */
    public QueryResult execute(QuerySpec spec, QueryContext query) {
        long started = System.nanoTime();
        String outcome = "ok";
        try {
            QueryResult result = run(spec, query);
            if (result.isPartial()) {
                outcome = "partial";
                metrics.partialAnswer();
            }
            return result;
        } catch (MeridianException e) {
            outcome = e.code().name().toLowerCase(Locale.ROOT);
            throw e;
        } finally {
            metrics.queryDone(System.nanoTime() - started, outcome);
        }
    }

    private QueryResult run(QuerySpec spec, QueryContext query) {
        MetaSnapshot snapshot = meta.get();
        DatabaseConfig db = snapshot.databases().get(spec.database());
        if (db == null) {
            throw InvalidInputException.notFound("database", spec.database());
        }
        LeafQueryRequest leaf = spec.leafRequest();
        List<String> idcs = new ArrayList<>();
        List<CompletableFuture<PartialTable>> shares = new ArrayList<>();
        for (String cluster : db.clusters()) {
            String idc = idcOf(snapshot, cluster);
            idcs.add(idc);
            Supplier<PartialTable> share = idc.equals(homeIdc)
                    ? () -> fanout.run(snapshot, db.name(), cluster, leaf, spec.maxGroups(), query)
                    : () -> remote(snapshot, idc, db.name(), cluster, leaf, spec, query);
            // the only share runs on this thread: one hand-off less per query
            shares.add(db.clusters().size() == 1 ? completed(share) : CompletableFuture.supplyAsync(share, executor));
        }
        PartialTable merged = PartialTableCodec.emptyFor(leaf, spec.maxGroups());
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < shares.size(); i++) {
            try {
                merged.mergeAdopting(shares.get(i).join());
            } catch (CompletionException e) {
                MeridianException cause = e.getCause() instanceof MeridianException m ? m : null;
                if (cause == null) {
                    query.cancel();
                    throw e;
                }
                if (cause instanceof QueryTimeoutException || cause instanceof QueryCancelledException) {
                    query.cancel();
                    throw cause; // the whole query is over: no partial answer
                }
                if (spec.allowPartial() && cause.isRetriable()) {
                    LOG.info(
                            "answering without an IDC [query={}, idc={}]: {}",
                            query.queryId(),
                            idcs.get(i),
                            cause.getMessage());
                    missing.add(idcs.get(i));
                    continue;
                }
                query.cancel();
                if (cause.isRetriable() && !(cause instanceof IdcUnavailableException)) {
                    throw new IdcUnavailableException(
                            "idc did not answer [query=" + query.queryId() + ", idc=" + idcs.get(i)
                                    + ", cluster=" + db.clusters().get(i) + "]: " + cause.getMessage()
                                    + "; set allowPartial to answer from the other IDCs",
                            cause);
                }
                throw cause;
            }
        }
        return ResultBuilder.build(spec, merged, missing);
    }

    private static CompletableFuture<PartialTable> completed(Supplier<PartialTable> share) {
        try {
            return CompletableFuture.completedFuture(share.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The intermediate fragment for a cluster of this broker's IDC, as served to other brokers.
     *
     * @throws InvalidInputException when the cluster is unknown or in another IDC
     */
    public PartialTable clusterPartial(
            String db, String cluster, LeafQueryRequest leaf, int maxGroups, QueryContext query) {
        MetaSnapshot snapshot = meta.get();
        String idc = idcOf(snapshot, cluster);
        if (!idc.equals(homeIdc)) {
            throw new InvalidInputException("cluster is in another IDC [cluster=" + cluster + ", idc=" + idc
                    + ", broker idc=" + homeIdc + "]: ask a broker of " + idc);
        }
        return fanout.run(snapshot, db, cluster, leaf, maxGroups, query);
    }

    /** Chunks of a table for the wire, the header echoing the request's slot transforms. */
    public static Iterator<LeafResultChunk> chunks(PartialTable table, LeafQueryRequest leaf) {
        return PartialTableCodec.chunks(table, CELLS_PER_CHUNK, 0, leaf.getTransformsList());
    }

    private PartialTable remote(
            MetaSnapshot snapshot,
            String idc,
            String db,
            String cluster,
            LeafQueryRequest leaf,
            QuerySpec spec,
            QueryContext query) {
        List<NodeInfo> brokers = new ArrayList<>(snapshot.nodes().values().stream()
                .filter(n -> n.role() == NodeRole.BROKER && n.idc().equals(idc))
                .sorted(Comparator.comparing(NodeInfo::id))
                .toList());
        if (brokers.isEmpty()) {
            throw new IdcUnavailableException(
                    "no broker of the idc is registered [query=" + query.queryId() + ", idc=" + idc + ", cluster="
                            + cluster + "]",
                    null);
        }
        Collections.rotate(brokers, rotation.getAndIncrement() % brokers.size()); // spread the load
        long reserveNanos = Math.min(TimeUnit.SECONDS.toNanos(1), spec.timeout().toNanos() / 10);
        long remaining =
                query.deadline().timeRemaining(TimeUnit.NANOSECONDS) - (spec.allowPartial() ? reserveNanos : 0);
        Deadline deadline = Deadline.after(Math.max(1, remaining), TimeUnit.NANOSECONDS);
        ClusterPartialRequest request = ClusterPartialRequest.newBuilder()
                .setDatabase(db)
                .setCluster(cluster)
                .setLeaf(leaf)
                .setMaxGroups(spec.maxGroups())
                .setQueryId(query.queryId())
                .build();
        List<String> tried = new ArrayList<>();
        for (NodeInfo broker : brokers) {
            String where =
                    "idc=" + idc + ", cluster=" + cluster + ", broker=" + broker.id() + ", address=" + broker.address();
            long started = System.nanoTime();
            try {
                PartialTable table = query.call(() -> {
                    PartialTableCodec.Reader t = PartialTableCodec.Reader.of(leaf, spec.maxGroups());
                    Iterator<LeafResultChunk> chunks = BrokerQueryServiceGrpc.newBlockingStub(
                                    channels.get(broker.address()))
                            .withDeadline(deadline)
                            .clusterPartial(request);
                    while (chunks.hasNext()) {
                        t.add(chunks.next(), where);
                    }
                    return t.table();
                });
                metrics.remoteDone(System.nanoTime() - started);
                return table;
            } catch (StatusRuntimeException e) {
                MeridianException m = query.failure(e, where);
                if (m instanceof QueryCancelledException) {
                    throw m;
                }
                if (query.deadline().isExpired()) {
                    throw query.timeout(where); // the whole query's time is up, not only this share's
                }
                if (!m.isRetriable() && !deadline.isExpired()) {
                    throw m;
                }
                tried.add(broker.id() + "@" + broker.address() + ": "
                        + (deadline.isExpired()
                                ? "no answer in " + TimeUnit.NANOSECONDS.toMillis(remaining) + "ms"
                                : m.getMessage()));
                if (deadline.isExpired()) {
                    break;
                }
            } catch (MeridianException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("BUG: remote fragment failed unexpectedly [" + where + "]", e);
            }
        }
        throw new IdcUnavailableException(
                "no broker of the idc answered [query=" + query.queryId() + ", idc=" + idc + ", cluster=" + cluster
                        + ", tried=" + tried + "]",
                null);
    }

    private static String idcOf(MetaSnapshot snapshot, String cluster) {
        StorageCluster c = snapshot.clusters().get(cluster);
        if (c == null) {
            throw new InvalidInputException(
                    ErrorCode.NOT_FOUND,
                    "storage cluster not found [cluster=" + cluster
                            + "]: the database names a cluster the metadata does not hold");
        }
        return c.idc();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        channels.close();
    }
}
