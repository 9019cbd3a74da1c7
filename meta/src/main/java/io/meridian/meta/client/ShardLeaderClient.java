package io.meridian.meta.client;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.rpc.ChannelPool;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.cache.Route;
import io.meridian.meta.cache.RoutingTable;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one client of shard leaders, for every writer that talks to them (the broker's direct writes and field
 * declarations, the Flink sink's writes, stages, commits and aborts). A call goes to the current leader of
 * (database, shard) in the routing table, with the shard's epoch (storage fences stale epochs), and its answer is
 * classified by its stable error code:
 *
 * <ul>
 *   <li><b>retried</b>, with the route read again: NOT_LEADER, SHARD_UNAVAILABLE, BUSY, NOT_REPLICATED,
 *       META_UNAVAILABLE and unreachable nodes (every code {@link MeridianException#isRetriable()} says), after an
 *       exponential back-off with jitter ({@link LeaderCallPolicy}); a re-route (NOT_LEADER) is tried at once the
 *       first time, since the routing table usually already knows the new leader;</li>
 *   <li><b>thrown</b>: every other code, and the retriable codes the policy lists as fail-fast;</li>
 *   <li>a database that is gone from the metadata ends the call with NOT_FOUND instead of retrying until the
 *       timeout.</li>
 * </ul>
 *
 * <p>When the timeout runs out the call throws {@link ShardUnavailableException} naming the database, shard,
 * leader and the last answer. Thread-safe; channels are pooled per storage address and closed with the client.
 */
public final class ShardLeaderClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardLeaderClient.class);

    /** Where one attempt goes: the leader's route, the shard reference at its epoch, and the attempt's deadline. */
    public record Leader(Route route, ShardRef shard, ManagedChannel channel, long deadlineMs) {
        /** A blocking stub to the leader with the attempt's deadline. */
        public StorageServiceGrpc.StorageServiceBlockingStub stub() {
            return StorageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
        }

        /** Call options with the attempt's deadline (for calls made with {@code ClientCalls}). */
        public CallOptions callOptions() {
            return CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
        }
    }

    /** One attempt against the current leader. */
    @FunctionalInterface
    public interface Attempt<T> {
        T call(Leader leader);
    }

    private final Supplier<RoutingTable> routes;
    private final Predicate<String> databaseGone;
    private final LeaderCallPolicy policy;
    private final ChannelPool channels = new ChannelPool();
    private final AtomicLong retries = new AtomicLong();

    /**
     * @param routes       the current routing table (a {@code MetaCache}'s, refreshed by its watch)
     * @param databaseGone whether a database is known not to exist (metadata read, name absent)
     * @param policy       timeouts and back-off
     */
    public ShardLeaderClient(Supplier<RoutingTable> routes, Predicate<String> databaseGone, LeaderCallPolicy policy) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.databaseGone = Objects.requireNonNull(databaseGone, "databaseGone");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public LeaderCallPolicy policy() {
        return policy;
    }

    /** Attempts retried after a retriable answer so far (a metric). */
    public long retries() {
        return retries.get();
    }

    /** The deadline ({@link System#nanoTime()}) of a call that starts now. */
    public long deadline() {
        return System.nanoTime() + policy.timeout().toNanos();
    }

    /** {@link #call(String, int, String, long, Attempt)} with a deadline of one timeout from now. */
    public <T> T call(String db, int shard, String what, Attempt<T> attempt) {
        return call(db, shard, what, deadline(), attempt);
    }

    /**
     * Calls the current leader until it answers, a non-retriable (or fail-fast) error comes back, or
     * {@code deadlineNanos} passes. Only for idempotent calls (writes with a writer sequence, commits, aborts,
     * declarations): an attempt whose answer was lost is sent again.
     *
     * @param what names the call in errors ({@code write}, {@code commit}, ...)
     * @throws MeridianException the answer that is not retried, NOT_FOUND for a database that is gone, or
     *                           {@link ShardUnavailableException} when the deadline passed
     */
    public <T> T call(String db, int shard, String what, long deadlineNanos, Attempt<T> attempt) {
        long backoffMs = policy.backoffMin().toMillis();
        boolean rerouted = false;
        MeridianException last = null;
        while (true) {
            Optional<Route> route = routes.get().leader(db, shard);
            if (route.isPresent()) {
                try {
                    return attempt.call(leader(db, shard, route.get(), deadlineNanos));
                } catch (StatusRuntimeException e) {
                    last = RpcErrors.fromStatus(e);
                    if (!last.isRetriable() || policy.failFast().contains(last.code())) {
                        throw last;
                    }
                    LOG.debug(
                            "{} retried [db={}, shard={}, leader={}, epoch={}]: {}",
                            what,
                            db,
                            shard,
                            route.get().leader(),
                            route.get().epoch(),
                            last.getMessage());
                }
            } else if (databaseGone.test(db)) {
                throw new InvalidInputException(
                        ErrorCode.NOT_FOUND,
                        "cannot " + what + " [db=" + db + ", shard=" + shard
                                + "]: the database does not exist (dropped?)");
            }
            long leftMs = remainingMs(deadlineNanos);
            if (leftMs <= 0) {
                throw new ShardUnavailableException(
                        what + " not acknowledged in time [db=" + db + ", shard=" + shard
                                + ", leader=" + route.map(Route::leader).orElse("none") + ", timeout="
                                + policy.timeout().toMillis() + "ms]: "
                                + (last == null ? "no leader in the routing table" : last.getMessage()),
                        last);
            }
            retries.incrementAndGet();
            if (last != null && last.code() == ErrorCode.NOT_LEADER && !rerouted) {
                rerouted = true; // the first re-route goes at once: the new leader is usually known already
                continue;
            }
            pause(Math.min(backoffMs, leftMs));
            backoffMs = Math.min(policy.backoffMax().toMillis(), Math.max(1, backoffMs * 2));
        }
    }

    /**
     * One attempt at the current leader, not retried (for calls that are not idempotent, such as staging a chunk
     * of a transaction: the caller decides what a failure means).
     *
     * @throws MeridianException the attempt's failure (a retriable one means "unknown whether it applied"), or
     *                           SHARD_UNAVAILABLE when the routing table has no leader
     */
    public <T> T callOnce(String db, int shard, String what, Attempt<T> attempt) {
        Optional<Route> route = routes.get().leader(db, shard);
        if (route.isEmpty()) {
            throw new ShardUnavailableException(
                    "cannot " + what + " [db=" + db + ", shard=" + shard + "]: no leader in the routing table", null);
        }
        try {
            return attempt.call(leader(db, shard, route.get(), deadline()));
        } catch (StatusRuntimeException e) {
            throw RpcErrors.fromStatus(e);
        }
    }

    /**
     * Pauses for one back-off step of {@code backoffMs} (with jitter), bounded by the deadline, counting a retry;
     * returns the next step. For callers that retry a sequence of calls as a whole.
     */
    public long backoff(long backoffMs, long deadlineNanos) {
        retries.incrementAndGet();
        pause(Math.max(0, Math.min(backoffMs, remainingMs(deadlineNanos))));
        return Math.min(policy.backoffMax().toMillis(), Math.max(1, backoffMs * 2));
    }

    private Leader leader(String db, int shard, Route route, long deadlineNanos) {
        long attemptMs = Math.max(1, Math.min(policy.attemptMax().toMillis(), remainingMs(deadlineNanos)));
        return new Leader(
                route,
                ShardRef.newBuilder()
                        .setDatabase(db)
                        .setShard(shard)
                        .setEpoch(route.epoch())
                        .build(),
                channels.get(route.address()),
                attemptMs);
    }

    /** Sleeps between half and all of {@code ms} (equal jitter: writers that failed together retry apart). */
    private static void pause(long ms) {
        if (ms <= 0) {
            return;
        }
        long jittered = ms / 2 + ThreadLocalRandom.current().nextLong(ms - ms / 2 + 1);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(jittered));
    }

    private static long remainingMs(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    @Override
    public void close() {
        channels.close();
    }
}
