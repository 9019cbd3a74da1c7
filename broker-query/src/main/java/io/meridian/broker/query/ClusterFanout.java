package io.meridian.broker.query;

import io.grpc.StatusRuntimeException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.QueryCancelledException;
import io.meridian.common.error.QueryTimeoutException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.ChannelPool;
import io.meridian.common.rpc.LocalLeafQuery;
import io.meridian.common.rpc.LocalServers;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intermediate fragment for one storage cluster: runs the leaf query on every shard of the database in
 * that cluster, concurrently, and merges their partials. Each shard is read from one replica, the leader
 * first, then the other in-sync replicas, then the rest; a replica that fails with a retriable error (down,
 * unreachable), or that meets damaged data or a disk error ({@code CORRUPT_DATA}, {@code STORAGE_IO}: its copy is
 * bad, another's is not), is replaced by the next, and what it had streamed is discarded. A shard that no replica could
 * answer fails the whole query with an error naming the shard and every node tried; the other shards are
 * cancelled. There is no silently partial answer.
 *
 * <p>A replica served in this JVM (standalone) is read by a call ({@link LocalLeafQuery}), without the stream: its
 * table is merged as it is, and its failures are the statuses the stream would end with, handled alike.
 */
final class ClusterFanout {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterFanout.class);
    /** Runs a leaf stream's callbacks on the thread that delivers them (they only queue a chunk for the reader). */
    private static final Executor INLINE = Runnable::run;

    private final ChannelPool channels;
    private final ExecutorService executor;
    private final QueryMetrics metrics;

    ClusterFanout(ChannelPool channels, ExecutorService executor, QueryMetrics metrics) {
        this.channels = channels;
        this.executor = executor;
        this.metrics = metrics;
    }

    /** The merged partials of every shard of {@code db} in {@code cluster}. */
    PartialTable run(
            MetaSnapshot meta, String db, String cluster, LeafQueryRequest leaf, int maxGroups, QueryContext query) {
        DatabaseConfig config = meta.databases().get(db);
        if (config == null) {
            throw InvalidInputException.notFound("database", db);
        }
        if (!config.clusters().contains(cluster)) {
            throw new InvalidInputException("cluster does not hold the database [database=" + db + ", cluster="
                    + cluster + "]: want one of " + config.clusters());
        }
        PartialTable merged = PartialTableCodec.emptyFor(leaf, maxGroups);
        List<CompletableFuture<PartialTable>> shards = new ArrayList<>();
        for (int shard = 0; shard < config.shards(); shard++) {
            ShardState state = meta.state(new ShardId(db, cluster, shard));
            int s = shard;
            Supplier<PartialTable> read = () -> readShard(meta, state, db, cluster, s, leaf, maxGroups, query);
            if (shard < config.shards() - 1) {
                shards.add(CompletableFuture.supplyAsync(read, executor));
            } else { // the last shard runs on this thread while the others run on the pool
                try {
                    shards.add(CompletableFuture.completedFuture(read.get()));
                } catch (RuntimeException e) {
                    shards.add(CompletableFuture.failedFuture(e));
                }
            }
        }
        for (CompletableFuture<PartialTable> f : shards) {
            try {
                merged.mergeAdopting(f.join());
            } catch (CompletionException e) {
                query.cancel(); // the others cannot make the query succeed any more
                throw e.getCause() instanceof MeridianException m ? m : e;
            }
        }
        return merged;
    }

    private PartialTable readShard(
            MetaSnapshot meta,
            ShardState state,
            String db,
            String cluster,
            int shard,
            LeafQueryRequest leaf,
            int maxGroups,
            QueryContext query) {
        String shardName = db + "/" + cluster + "/" + shard;
        if (state == null) {
            throw new ShardUnavailableException("shard has no assignment [shard=" + shardName + "]", null);
        }
        LeafQueryRequest request = leaf.toBuilder()
                .setShard(ShardRef.newBuilder().setDatabase(db).setShard(shard))
                .build();
        List<String> tried = new ArrayList<>();
        for (String node : state.readOrder()) {
            NodeInfo info = meta.nodes().get(node);
            if (info == null) {
                tried.add(node + ": not registered (down)");
                continue;
            }
            String where = "shard=" + shardName + ", node=" + node + ", address=" + info.address();
            if (query.isCancelled()) {
                throw query.timeout(where);
            }
            long started = System.nanoTime();
            try {
                LocalLeafQuery local = LocalServers.leafQuery(info.address());
                PartialTable table = local != null
                        ? PartialTableCodec.emptyFor(leaf, maxGroups)
                                .mergeAdopting(local.run(request, query::isCancelled))
                        : query.call(() -> stream(info.address(), request, leaf, maxGroups, query, where));
                metrics.leafDone(System.nanoTime() - started);
                return table;
            } catch (StatusRuntimeException e) {
                MeridianException m = query.failure(e, where);
                boolean damagedReplica = m.code() == ErrorCode.CORRUPT_DATA || m.code() == ErrorCode.STORAGE_IO;
                if (m instanceof QueryTimeoutException
                        || m instanceof QueryCancelledException
                        || !m.isRetriable() && !damagedReplica) {
                    throw withContext(m, where);
                }
                if (damagedReplica) {
                    // the replica's copy is damaged or its disk failed: another replica holds the same data
                    LOG.warn(
                            "leaf query met damaged data on a replica; reading another [query={}, {}]: {}",
                            query.queryId(),
                            where,
                            m.getMessage());
                }
                LOG.debug("leaf query failed, trying the next replica [query={}, {}]", query.queryId(), where, e);
                metrics.leafRetried();
                tried.add(node + ": " + m.getMessage());
            } catch (MeridianException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("BUG: leaf query failed unexpectedly [" + where + "]", e);
            }
        }
        throw new ShardUnavailableException(
                "no replica answered the leaf query [query=" + query.queryId() + ", shard=" + shardName + ", tried="
                        + tried + "]",
                null);
    }

    /** The shard's answer over the network (or gRPC's in-process transport), chunk by chunk into a table. */
    private PartialTable stream(
            String address,
            LeafQueryRequest request,
            LeafQueryRequest leaf,
            int maxGroups,
            QueryContext query,
            String where) {
        PartialTableCodec.Reader t = PartialTableCodec.Reader.of(leaf, maxGroups);
        // the stream's callbacks only queue a chunk for this thread: run them where they arrive rather than on
        // gRPC's shared executor (one thread hand-off less per chunk)
        Iterator<LeafResultChunk> chunks = StorageServiceGrpc.newBlockingStub(channels.get(address))
                .withDeadline(query.deadline())
                .withExecutor(INLINE)
                .leafQuery(request);
        while (chunks.hasNext()) {
            t.add(chunks.next(), where);
        }
        return t.table();
    }

    private static MeridianException withContext(MeridianException m, String where) {
        if (m.getMessage() != null && m.getMessage().contains(where)) {
            return m;
        }
        return m instanceof InvalidInputException ii
                ? new InvalidInputException(ii.code(), m.getMessage() + " [" + where + "]", m)
                : m;
    }
}
