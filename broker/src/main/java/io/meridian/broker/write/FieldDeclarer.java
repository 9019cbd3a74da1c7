package io.meridian.broker.write;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.model.FieldType;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.StorageChannels;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.DeclareFieldRequest;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.cache.Route;
import io.meridian.meta.cache.RoutingTable;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Declares field types of a metric on every shard leader of a database (the storage {@code DeclareField} RPC,
 * which the leader appends to its replica log so followers learn it too). Like {@link ShardWriter}, a retriable
 * answer (not the leader, stale epoch, unavailable) is retried with the route read again until the timeout; any
 * other error (e.g. TYPE_CONFLICT for a different re-declaration) is thrown as is. Declaring the same type
 * again is a no-op on storage, so a partly applied request can simply be sent again.
 *
 * <p>Threading: thread-safe; one channel per storage address, shared.
 */
public final class FieldDeclarer implements AutoCloseable {
    private static final long BACKOFF_MIN_MS = 10;
    private static final long BACKOFF_MAX_MS = 500;

    private final Supplier<RoutingTable> routes;
    private final Duration timeout;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public FieldDeclarer(Supplier<RoutingTable> routes, Duration timeout) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * Declares every field on every shard, shard by shard.
     *
     * @throws MeridianException the first non-retriable storage error, or {@link ShardUnavailableException} naming
     *                           the shard when a leader did not accept in time
     */
    public void declare(String db, int shards, String metric, Map<String, FieldType> fields) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int shard = 0; shard < shards; shard++) {
            for (Map.Entry<String, FieldType> f : fields.entrySet()) {
                declareOne(db, shard, metric, f.getKey(), f.getValue(), deadline);
            }
        }
    }

    private void declareOne(String db, int shard, String metric, String field, FieldType type, long deadline) {
        MeridianException last = null;
        long backoff = BACKOFF_MIN_MS;
        while (true) {
            Optional<Route> route = routes.get().leader(db, shard);
            if (route.isPresent()) {
                try {
                    stub(route.get().address()).withDeadlineAfter(Math.max(1, remainingMs(deadline)),
                            TimeUnit.MILLISECONDS).declareField(DeclareFieldRequest.newBuilder()
                            .setShard(ShardRef.newBuilder().setDatabase(db).setShard(shard)
                                    .setEpoch(route.get().epoch()))
                            .setMetric(metric).setField(field).setType(WireEnums.toWire(type)).build());
                    return;
                } catch (StatusRuntimeException e) {
                    last = RpcErrors.fromStatus(e);
                    if (!last.isRetriable()) {
                        throw last;
                    }
                }
            }
            if (remainingMs(deadline) <= 0) {
                throw new ShardUnavailableException("field declaration not accepted in time [database=" + db
                        + ", shard=" + shard + ", metric=" + metric + ", field=" + field + ", leader="
                        + route.map(Route::leader).orElse("none") + ", timeout=" + timeout.toMillis() + "ms]: "
                        + (last == null ? "no leader in the routing table" : last.getMessage()), last);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(backoff, remainingMs(deadline))));
            backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
        }
    }

    private static long remainingMs(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    private StorageServiceGrpc.StorageServiceBlockingStub stub(String address) {
        return StorageServiceGrpc.newBlockingStub(channels.computeIfAbsent(address, StorageChannels::open));
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
