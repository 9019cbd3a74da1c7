package io.meridian.broker.sql;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.IdcUnavailableException;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.QueryCancelledException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.rpc.ChannelPool;
import io.meridian.common.rpc.RemoteCallException;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.broker.v1.BrokerCatalogServiceGrpc;
import io.meridian.common.rpc.broker.v1.ClusterTagValuesRequest;
import io.meridian.common.rpc.storage.v1.ListTagValuesRequest;
import io.meridian.common.rpc.storage.v1.ListTagValuesResponse;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Reads the distinct values of a tag key of a metric from storage ({@code StorageService.ListTagValues}), for
 * {@code information_schema.tag_values}. Every storage cluster of the database holds its own IDC's series, so
 * every cluster is read, the way a distributed query reads them (docs/queries.md): a cluster of this broker's
 * IDC here, each shard from one replica (the leader first; on a retriable failure the next in
 * {@link ShardState#readOrder()}); a cluster of another IDC through a broker of that IDC
 * ({@code BrokerCatalogService.ClusterTagValues}, broker.proto revision 2), never by dialling its storage nodes.
 * The listings are merged into one sorted, distinct list, cut at the caller's limit while merging so that memory
 * stays bounded by it (plus one shard's answer).
 *
 * <p>Shards are asked {@value #MAX_CALLS_IN_FLIGHT} at a time; each call gets {@value #CALL_TIMEOUT_MS} ms (less
 * when the caller's deadline is nearer), a broker of another IDC {@value #REMOTE_TIMEOUT_MS} ms. Nothing is
 * cached: values change with every new series. Thread-safe.
 */
final class TagValueReader {
    static final long CALL_TIMEOUT_MS = 5_000;
    static final long REMOTE_TIMEOUT_MS = 30_000;
    static final int MAX_CALLS_IN_FLIGHT = 16;

    private final Supplier<MetaSnapshot> meta;
    private final String homeIdc;
    private final ChannelPool channels;
    private final AtomicInteger rotation = new AtomicInteger();

    TagValueReader(Supplier<MetaSnapshot> meta, String homeIdc, ChannelPool channels) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.homeIdc = Objects.requireNonNull(homeIdc, "homeIdc");
        this.channels = Objects.requireNonNull(channels, "channels");
    }

    /**
     * The first {@code limit} values over every cluster of {@code db}; empty for an unknown database.
     *
     * @throws IllegalArgumentException  when {@code limit} is below 1
     * @throws ShardUnavailableException when no replica of a shard of this IDC answered
     * @throws IdcUnavailableException   when no broker of another IDC answered for its cluster
     */
    List<String> read(String db, String metric, String tagKey, int limit) {
        requireLimit(limit);
        MetaSnapshot s = meta.get();
        DatabaseConfig config = s.databases().get(db);
        if (config == null) {
            return List.of();
        }
        Deadline deadline = Deadline.after(REMOTE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        TreeSet<String> values = new TreeSet<>();
        for (String cluster : config.clusters()) {
            String idc = idcOf(s, cluster);
            List<String> part = idc.equals(homeIdc)
                    ? readCluster(s, config, cluster, metric, tagKey, limit, deadline)
                    : readRemote(s, idc, db, cluster, metric, tagKey, limit);
            addBounded(values, part, limit);
        }
        return List.copyOf(values);
    }

    /**
     * The first {@code limit} values in one cluster of this broker's IDC, as served to brokers of other IDCs;
     * empty for an unknown database.
     *
     * @param deadline the caller's, or null for none
     * @throws InvalidInputException when the cluster does not hold the database or is in another IDC
     */
    List<String> readLocalCluster(
            String db, String cluster, String metric, String tagKey, int limit, Deadline deadline) {
        requireLimit(limit);
        MetaSnapshot s = meta.get();
        DatabaseConfig config = s.databases().get(db);
        if (config == null) {
            return List.of();
        }
        if (!config.clusters().contains(cluster)) {
            throw new InvalidInputException("cluster does not hold the database [database=" + db + ", cluster="
                    + cluster + "]: want one of " + config.clusters());
        }
        String idc = idcOf(s, cluster);
        if (!idc.equals(homeIdc)) {
            throw new InvalidInputException("cluster is in another IDC [cluster=" + cluster + ", idc=" + idc
                    + ", broker idc=" + homeIdc + "]: ask a broker of " + idc);
        }
        Deadline own = Deadline.after(REMOTE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        return readCluster(s, config, cluster, metric, tagKey, limit, deadline == null ? own : deadline.minimum(own));
    }

    private List<String> readCluster(
            MetaSnapshot s,
            DatabaseConfig config,
            String cluster,
            String metric,
            String tagKey,
            int limit,
            Deadline deadline) {
        TreeSet<String> values = new TreeSet<>();
        for (int from = 0; from < config.shards(); from += MAX_CALLS_IN_FLIGHT) {
            List<ShardCall> calls = new ArrayList<>();
            for (int shard = from; shard < Math.min(config.shards(), from + MAX_CALLS_IN_FLIGHT); shard++) {
                ShardCall call = new ShardCall(s, config.name(), cluster, shard, metric, tagKey, deadline);
                call.next();
                calls.add(call);
            }
            for (ShardCall call : calls) {
                addBounded(values, call.await(), limit);
            }
        }
        return List.copyOf(values);
    }

    /** One shard's listing, from the first of its replicas that answers. Not thread-safe. */
    private final class ShardCall {
        private final MetaSnapshot s;
        private final ListTagValuesRequest request;
        private final String where;
        private final Deadline deadline;
        private final Iterator<String> replicas;
        private final List<String> tried = new ArrayList<>();
        private String node;
        private CompletableFuture<ListTagValuesResponse> answer;

        ShardCall(
                MetaSnapshot s, String db, String cluster, int shard, String metric, String tagKey, Deadline deadline) {
            this.s = s;
            this.where = "database=" + db + ", cluster=" + cluster + ", shard=" + shard + ", metric=" + metric
                    + ", tag=" + tagKey;
            this.deadline = deadline;
            this.request = ListTagValuesRequest.newBuilder()
                    .setShard(ShardRef.newBuilder().setDatabase(db).setShard(shard))
                    .setMetric(metric)
                    .setTagKey(tagKey)
                    .build();
            ShardState state = s.state(new ShardId(db, cluster, shard));
            if (state == null) {
                throw new ShardUnavailableException(
                        "cannot list tag values [" + where + "]: the shard has no assignment", null);
            }
            this.replicas = state.readOrder().iterator();
        }

        /** Asks the next registered replica; false when none is left. */
        boolean next() {
            answer = null;
            while (replicas.hasNext() && !deadline.isExpired()) {
                node = replicas.next();
                NodeInfo info = s.nodes().get(node);
                if (info == null) {
                    tried.add(node + ": not registered (down)");
                    continue;
                }
                Deadline call = deadline.minimum(Deadline.after(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS));
                answer = new CompletableFuture<>();
                StorageServiceGrpc.newStub(channels.get(info.address()))
                        .withDeadline(call)
                        .listTagValues(request, completing(answer));
                return true;
            }
            return false;
        }

        List<String> await() {
            while (answer != null) {
                try {
                    return join(answer, where).getValuesList();
                } catch (StatusRuntimeException e) {
                    MeridianException m = RpcErrors.fromStatus(e);
                    if (!m.isRetriable()) {
                        throw withContext(m, "cannot list tag values [" + where + ", node=" + node + "]");
                    }
                    tried.add(node + ": " + m.getMessage());
                    next();
                }
            }
            throw new ShardUnavailableException(
                    "no replica answered a tag value listing [" + where + ", tried=" + tried
                            + (deadline.isExpired() ? ", deadline passed" : "") + "]",
                    null);
        }
    }

    private List<String> readRemote(
            MetaSnapshot s, String idc, String db, String cluster, String metric, String tagKey, int limit) {
        String where =
                "database=" + db + ", metric=" + metric + ", tag=" + tagKey + ", idc=" + idc + ", cluster=" + cluster;
        List<NodeInfo> brokers = new ArrayList<>(s.nodes().values().stream()
                .filter(n -> n.role() == NodeRole.BROKER && n.idc().equals(idc))
                .sorted(Comparator.comparing(NodeInfo::id))
                .toList());
        if (brokers.isEmpty()) {
            throw new IdcUnavailableException(
                    "cannot list tag values [" + where + "]: no broker of the idc is registered", null);
        }
        Collections.rotate(brokers, rotation.getAndIncrement() % brokers.size()); // spread the load
        ClusterTagValuesRequest request = ClusterTagValuesRequest.newBuilder()
                .setDatabase(db)
                .setCluster(cluster)
                .setMetric(metric)
                .setTagKey(tagKey)
                .setLimit(limit)
                .build();
        List<String> tried = new ArrayList<>();
        for (NodeInfo broker : brokers) {
            try {
                return BrokerCatalogServiceGrpc.newBlockingStub(channels.get(broker.address()))
                        .withDeadlineAfter(REMOTE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        .clusterTagValues(request)
                        .getValuesList();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) { // a broker not yet upgraded: try another
                    tried.add(broker.id() + ": does not serve ClusterTagValues (broker.proto revision 1); upgrade it");
                    continue;
                }
                MeridianException m = RpcErrors.fromStatus(e);
                if (!m.isRetriable()) {
                    throw withContext(m, "cannot list tag values [" + where + ", broker=" + broker.id() + "]");
                }
                tried.add(broker.id() + "@" + broker.address() + ": " + m.getMessage());
            }
        }
        throw new IdcUnavailableException(
                "cannot list tag values [" + where + "]: no broker of the idc answered [tried=" + tried + "]", null);
    }

    /** Adds {@code part} to {@code values}, keeping only the {@code limit} smallest. */
    static void addBounded(TreeSet<String> values, Collection<String> part, int limit) {
        for (String v : part) {
            if (values.size() >= limit && v.compareTo(values.last()) >= 0) {
                continue;
            }
            if (values.add(v) && values.size() > limit) {
                values.pollLast();
            }
        }
    }

    private static void requireLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("invalid tag value limit [limit=" + limit + "]: want >= 1");
        }
    }

    private static String idcOf(MetaSnapshot s, String cluster) {
        StorageCluster c = s.clusters().get(cluster);
        if (c == null) {
            throw new InvalidInputException(
                    ErrorCode.NOT_FOUND,
                    "storage cluster not found [cluster=" + cluster
                            + "]: the database names a cluster the metadata does not hold");
        }
        return c.idc();
    }

    /** The same error with what was being done in front: its type, code and retriability kept. */
    private static MeridianException withContext(MeridianException m, String context) {
        String message = context + ": " + m.getMessage();
        if (m instanceof InvalidInputException) {
            return new InvalidInputException(m.code(), message, m);
        }
        if (m instanceof RemoteCallException r) {
            return new RemoteCallException(r.code(), r.grpcStatus(), message, r);
        }
        return m;
    }

    private static <T> StreamObserver<T> completing(CompletableFuture<T> future) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                future.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                future.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                future.complete(null);
            }
        };
    }

    private static <T> T join(CompletableFuture<T> future, String where) {
        try {
            T value = future.get();
            if (value == null) {
                throw new IllegalStateException("BUG: a unary call completed without an answer [" + where + "]");
            }
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryCancelledException("tag value listing interrupted [" + where + "]");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException sre) {
                throw sre;
            }
            throw new IllegalStateException(
                    "BUG: a tag value listing failed unexpectedly [" + where + "]", e.getCause());
        }
    }
}
