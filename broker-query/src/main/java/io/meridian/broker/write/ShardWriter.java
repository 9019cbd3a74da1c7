package io.meridian.broker.write;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.MeridianException;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.meta.cache.RoutingTable;
import io.meridian.meta.client.LeaderCallPolicy;
import io.meridian.meta.client.ShardLeaderClient;
import io.meridian.meta.client.WriterLane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request's per-shard batches to the shard leaders (direct ingest mode, ARCHITECTURE §3) through the
 * {@link ShardLeaderClient}, which routes each to its shard's current leader with the shard epoch and retries the
 * retriable answers until the request's timeout (DISK_FULL comes back at once: a full disk does not clear within a
 * write's timeout, so the client gets the 507 now). Shards are written concurrently; the call returns once every
 * shard acknowledged, or throws naming the shard and its last error.
 *
 * <p>Exactly once per batch across retries: every batch goes out on a <em>lane</em>, a writer id of this
 * broker instance with its own sequence, and a lane carries one batch at a time, so storage's
 * (writer id, sequence) de-duplication never sees a later sequence overtake an earlier one that is still being
 * retried. Lanes are pooled per shard.
 */
public final class ShardWriter implements BatchSink {
    private static final Logger LOG = LoggerFactory.getLogger(ShardWriter.class);

    private final ShardLeaderClient leaders;
    /** The client when this writer made it (and closes it), else null. */
    private final ShardLeaderClient owned;

    private final String instance = "broker-" + UUID.randomUUID();
    private final AtomicLong lanesCreated = new AtomicLong();
    private final Map<String, Queue<WriterLane>> lanes = new ConcurrentHashMap<>();
    private final ExecutorService senders = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "meridian-shard-writer");
        t.setDaemon(true);
        return t;
    });

    /** @param leaders the client of shard leaders (owned by the caller), with the request timeout as its policy's */
    public ShardWriter(ShardLeaderClient leaders) {
        this.leaders = Objects.requireNonNull(leaders, "leaders");
        this.owned = null;
    }

    /**
     * A writer with a client of its own (closed with it).
     *
     * @param routes  the current routing table (a {@code MetaCache}'s, refreshed by its watch)
     * @param timeout how long one request may take, retries included
     */
    public ShardWriter(Supplier<RoutingTable> routes, Duration timeout) {
        this.owned = new ShardLeaderClient(routes, db -> false, policy(timeout));
        this.leaders = owned;
    }

    /** The policy of the broker's calls to shard leaders: retries until {@code timeout}; DISK_FULL at once. */
    public static LeaderCallPolicy policy(Duration timeout) {
        return LeaderCallPolicy.of(timeout).withFailFast(ErrorCode.DISK_FULL);
    }

    /** Retries after a retriable answer, since start (for metrics and tests). */
    public long retries() {
        return leaders.retries();
    }

    /**
     * Writes every shard's batch and returns once all are acknowledged.
     *
     * @throws MeridianException the first shard's error that was not retriable, or a
     *                           {@code ShardUnavailableException} naming the shard and its last error when the timeout
     *                           ran out
     */
    @Override
    public void write(ShardBatches request) {
        long deadline = leaders.deadline();
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        request.batches()
                .forEach((shard, batch) -> sends.add(
                        CompletableFuture.runAsync(() -> send(request.database(), shard, batch, deadline), senders)));
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof MeridianException m) {
                throw m;
            }
            throw e;
        }
    }

    private void send(String db, int shard, PointBatch batch, long deadline) {
        WriterLane lane = acquire(db, shard);
        long sequence = lane.begin();
        try {
            leaders.call(
                    db,
                    shard,
                    "write",
                    deadline,
                    leader -> leader.stub()
                            .write(WriteRequest.newBuilder()
                                    .setShard(leader.shard())
                                    .setBatch(batch)
                                    .setWriterId(lane.writerId())
                                    .setSequence(sequence)
                                    .build()));
            release(db, shard, lane);
        } catch (MeridianException e) {
            // an answer that refused the batch frees the lane; after a timeout its sequence may still be applied
            // late, so the lane is dropped (a fresh lane takes its place)
            if (!e.isRetriable() || leaders.policy().failFast().contains(e.code())) {
                release(db, shard, lane);
            }
            LOG.debug(
                    "shard write failed [database={}, shard={}, writer={}, sequence={}]",
                    db,
                    shard,
                    lane.writerId(),
                    sequence,
                    e);
            throw e;
        }
    }

    private WriterLane acquire(String db, int shard) {
        WriterLane lane = lanes.computeIfAbsent(db + "/" + shard, k -> new ConcurrentLinkedQueue<>())
                .poll();
        return lane != null ? lane : new WriterLane(instance + "-" + lanesCreated.incrementAndGet());
    }

    private void release(String db, int shard, WriterLane lane) {
        lane.end();
        lanes.get(db + "/" + shard).add(lane);
    }

    @Override
    public void close() {
        senders.shutdownNow();
        if (owned != null) {
            owned.close();
        }
    }
}
