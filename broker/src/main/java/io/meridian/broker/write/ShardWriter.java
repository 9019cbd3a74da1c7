package io.meridian.broker.write;

import io.meridian.common.ingest.ShardBatches;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.rpc.ChannelPool;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.meta.cache.Route;
import io.meridian.meta.cache.RoutingTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request's per-shard batches to the shard leaders (direct ingest mode, ARCHITECTURE §3): each batch
 * to its shard's current leader from the routing table, with the shard epoch; a retriable answer (not the
 * leader, stale epoch, unavailable, not replicated, busy, connection refused) is retried with the route read
 * again, until the request's timeout. Shards are written concurrently; the call returns once every shard
 * acknowledged, or throws naming the shard and its last error.
 *
 * <p>Exactly once per batch across retries: every batch goes out on a <em>lane</em>, a writer id of this
 * broker instance with its own sequence, and a lane carries one batch at a time, so storage's
 * (writer id, sequence) de-duplication never sees a later sequence overtake an earlier one that is still being
 * retried. Lanes are pooled per shard.
 */
public final class ShardWriter implements BatchSink {
    private static final Logger LOG = LoggerFactory.getLogger(ShardWriter.class);
    private static final long BACKOFF_MIN_MS = 10;
    private static final long BACKOFF_MAX_MS = 500;

    /** A writer id with its next sequence; used by one batch at a time. */
    private static final class Lane {
        final String writerId;
        long sequence;

        Lane(String writerId) {
            this.writerId = writerId;
        }
    }

    private final Supplier<RoutingTable> routes;
    private final Duration timeout;
    private final String instance = "broker-" + UUID.randomUUID();
    private final AtomicLong lanesCreated = new AtomicLong();
    private final Map<String, Queue<Lane>> lanes = new ConcurrentHashMap<>();
    private final ChannelPool channels = new ChannelPool();
    private final ExecutorService senders = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "meridian-shard-writer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong retries = new AtomicLong();

    /**
     * @param routes  the current routing table (a {@code MetaCache}'s, refreshed by its watch)
     * @param timeout how long one request may take, retries included
     */
    public ShardWriter(Supplier<RoutingTable> routes, Duration timeout) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Retries after a retriable answer, since start (for metrics and tests). */
    public long retries() {
        return retries.get();
    }

    /**
     * Writes every shard's batch and returns once all are acknowledged.
     *
     * @throws MeridianException the first shard's error that was not retriable, or a {@link ShardUnavailableException}
     *                           naming the shard and its last error when the timeout ran out
     */
    @Override
    public void write(ShardBatches request) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        request.batches().forEach((shard, batch) -> sends.add(CompletableFuture.runAsync(
                () -> send(request.database(), shard, batch, deadline), senders)));
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof MeridianException m) {
                throw m;
            }
            throw e;
        }
    }

    private void send(String db, int shard, PointBatch batch, long deadline) {
        Lane lane = acquire(db, shard);
        lane.sequence++;
        MeridianException last = null;
        long backoff = BACKOFF_MIN_MS;
        try {
            while (true) {
                Optional<Route> route = routes.get().leader(db, shard);
                if (route.isPresent()) {
                    try {
                        stub(route.get().address()).withDeadlineAfter(Math.max(1, remainingMs(deadline)), TimeUnit.MILLISECONDS)
                                .write(WriteRequest.newBuilder()
                                        .setShard(ShardRef.newBuilder().setDatabase(db).setShard(shard).setEpoch(route.get().epoch()))
                                        .setBatch(batch).setWriterId(lane.writerId).setSequence(lane.sequence).build());
                        release(db, shard, lane);
                        return;
                    } catch (StatusRuntimeException e) {
                        last = RpcErrors.fromStatus(e);
                        // a full disk does not clear within a write's timeout: the client gets the 507 now
                        if (!last.isRetriable() || last.code() == ErrorCode.DISK_FULL) {
                            release(db, shard, lane);
                            throw last;
                        }
                    }
                }
                if (remainingMs(deadline) <= 0) {
                    // the lane is not reused: its sequence may still be applied late, which is fine for a fresh lane
                    throw new ShardUnavailableException("write not acknowledged in time [database=" + db + ", shard="
                            + shard + ", leader=" + route.map(Route::leader).orElse("none") + ", timeout="
                            + timeout.toMillis() + "ms]: " + (last == null ? "no leader in the routing table"
                            : last.getMessage()), last);
                }
                retries.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(backoff, remainingMs(deadline))));
                backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
            }
        } catch (RuntimeException e) {
            LOG.debug("shard write failed [database={}, shard={}, writer={}, sequence={}]", db, shard, lane.writerId,
                    lane.sequence, e);
            throw e;
        }
    }

    private Lane acquire(String db, int shard) {
        Lane lane = lanes.computeIfAbsent(db + "/" + shard, k -> new ConcurrentLinkedQueue<>()).poll();
        return lane != null ? lane : new Lane(instance + "-" + lanesCreated.incrementAndGet());
    }

    private void release(String db, int shard, Lane lane) {
        lanes.get(db + "/" + shard).add(lane);
    }

    private static long remainingMs(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    private StorageServiceGrpc.StorageServiceBlockingStub stub(String address) {
        return StorageServiceGrpc.newBlockingStub(channels.get(address));
    }

    @Override
    public void close() {
        senders.shutdownNow();
        channels.close();
    }
}
