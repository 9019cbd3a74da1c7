package io.meridian.connector.flink;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.rpc.ChannelPool;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.storage.v1.AbortRequest;
import io.meridian.common.rpc.storage.v1.CommitRequest;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.common.rpc.storage.v1.WriteOutcome;
import io.meridian.common.rpc.storage.v1.WriteResponse;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.cache.Route;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's calls to shard leaders: each goes to the current leader of (database, shard) in the sink's IDC, with
 * the shard epoch from the metadata cache (fencing). A retriable answer (not the leader, stale epoch, busy, not
 * replicated, unreachable) is retried with the route read again and an exponential back-off, until the request
 * timeout; a busy storage node therefore slows the sink down (back-pressure) instead of failing it.
 *
 * <p>Thread-safe. Owns its etcd client and metadata cache.
 */
final class ShardRpc implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardRpc.class);
    private static final long BACKOFF_MIN_MS = 10;
    private static final long BACKOFF_MAX_MS = 1_000;

    private final MetaStore store;
    private final MetaCache meta;
    private final Duration timeout;
    private final ChannelPool channels = new ChannelPool();
    private final AtomicLong retries = new AtomicLong();

    private ShardRpc(MetaStore store, MetaCache meta, Duration timeout) {
        this.store = store;
        this.meta = meta;
        this.timeout = timeout;
    }

    /** Connects to etcd and follows the metadata, for routing. */
    static ShardRpc open(SinkSettings settings) {
        MetaStore store = MetaStore.connect(new MetaStoreOptions(settings.etcdEndpoints(), settings.metaRoot(),
                MetaStoreOptions.DEFAULT_OPERATION_TIMEOUT, MetaStoreOptions.DEFAULT_WATCH_CHECK_INTERVAL));
        try {
            MetaCache meta = new MetaCache(store, null, settings.idc()).start();
            return new ShardRpc(store, meta, settings.requestTimeout());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Retries after a retriable answer so far (a metric). */
    long retries() {
        return retries.get();
    }

    /**
     * The configuration of {@code database}. Waits for the first metadata read (up to the request timeout), and
     * then up to 2 s more for a database that is not there yet (one created moments ago).
     *
     * @throws InvalidInputException (NOT_FOUND) when the database does not exist
     * @throws ShardUnavailableException when etcd gave no metadata within the request timeout
     */
    DatabaseConfig database(String database) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long missingSince = 0;
        while (true) {
            DatabaseConfig db = meta.snapshot().databases().get(database);
            if (db != null) {
                return db;
            }
            long now = System.nanoTime();
            if (meta.snapshot().revision() > 0) {
                missingSince = missingSince == 0 ? now : missingSince;
                if (now - missingSince > TimeUnit.SECONDS.toNanos(2)) {
                    throw new InvalidInputException(ErrorCode.NOT_FOUND, "unknown database [db=" + database
                            + "]: create it first (POST /api/v1/databases or bin/meridian admin databases create)");
                }
            } else if (now > deadline) {
                throw new ShardUnavailableException("no metadata from etcd within " + timeout.toMillis()
                        + "ms [db=" + database + "]", null);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }


    /**
     * Stages a chunk of transaction {@code txn} on the current leader, once: staging is not idempotent, so a
     * failed attempt is not retried here (the caller starts the shard's transaction over, see
     * {@code MeridianSinkWriter}).
     *
     * @return true when applied, false when the transaction had already committed (a late retry)
     * @throws MeridianException the attempt's failure; retriable ones mean "unknown whether it applied"
     */
    boolean stageOnce(String db, int shard, String writerId, long txn, ByteString batch) {
        Optional<Route> route = meta.routing().leader(db, shard);
        if (route.isEmpty()) {
            throw new ShardUnavailableException("cannot stage [db=" + db + ", shard=" + shard
                    + "]: no leader in the routing table", null);
        }
        try {
            return raw(route.get(), RawBatchCalls.STAGE, RawBatchCalls.stageRequest(ref(db, shard, route.get()),
                    writerId, txn, batch)).getOutcome() == WriteOutcome.WRITE_OUTCOME_APPLIED;
        } catch (StatusRuntimeException e) {
            throw RpcErrors.fromStatus(e);
        }
    }

    /** Parks for an exponential back-off step (10 ms doubling to 1 s), bounded by {@code deadline}; counts a retry. */
    long backoff(long backoffMs, long deadline) {
        retries.incrementAndGet();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(0, Math.min(backoffMs, remainingMs(deadline)))));
        return Math.min(BACKOFF_MAX_MS, backoffMs * 2);
    }

    /** The deadline (System.nanoTime) of a request that starts now. */
    long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    Duration timeout() {
        return timeout;
    }

    /** Commits transaction {@code txn}; a commit that already happened (a retry after a failover) is fine. */
    void commit(String db, int shard, String writerId, long txn) {
        call(db, shard, "commit", route -> stub(route).commit(CommitRequest.newBuilder()
                .setShard(ref(db, shard, route)).setWriterId(writerId).setTransactionId(txn).build()));
    }

    /** Drops what transaction {@code txn} staged (nothing when it staged nothing or committed). */
    void abort(String db, int shard, String writerId, long txn) {
        call(db, shard, "abort", route -> stub(route).abort(AbortRequest.newBuilder()
                .setShard(ref(db, shard, route)).setWriterId(writerId).setTransactionId(txn).build()));
    }

    /** Writes a batch at most once per (writer, sequence). */
    void write(String db, int shard, String writerId, long sequence, ByteString batch) {
        call(db, shard, "write", route -> raw(route, RawBatchCalls.WRITE, RawBatchCalls.writeRequest(
                ref(db, shard, route), batch, writerId, sequence)));
    }

    private WriteResponse raw(Route route, io.grpc.MethodDescriptor<byte[], WriteResponse> method, byte[] request) {
        return io.grpc.stub.ClientCalls.blockingUnaryCall(channels.get(route.address()), method,
                io.grpc.CallOptions.DEFAULT.withDeadlineAfter(callDeadlineMs(), TimeUnit.MILLISECONDS), request);
    }

    private long callDeadlineMs() {
        return Math.max(1_000, Math.min(30_000, timeout.toMillis()));
    }

    private <T> T call(String db, int shard, String what, Function<Route, T> rpc) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoff = BACKOFF_MIN_MS;
        MeridianException last = null;
        while (true) {
            Optional<Route> route = meta.routing().leader(db, shard);
            if (route.isPresent()) {
                try {
                    return rpc.apply(route.get());
                } catch (StatusRuntimeException e) {
                    last = RpcErrors.fromStatus(e);
                    if (!last.isRetriable()) {
                        throw last;
                    }
                    LOG.debug("{} retried [db={}, shard={}, leader={}, epoch={}]: {}", what, db, shard,
                            route.get().leader(), route.get().epoch(), last.getMessage());
                }
            } else if (meta.snapshot().revision() > 0 && !meta.snapshot().databases().containsKey(db)) {
                throw new InvalidInputException(ErrorCode.NOT_FOUND, "cannot " + what + " [db=" + db + ", shard="
                        + shard + "]: the database does not exist (dropped while the job ran?)");
            }
            long left = remainingMs(deadline);
            if (left <= 0) {
                throw new ShardUnavailableException("cannot " + what + " [db=" + db + ", shard=" + shard + ", leader="
                        + route.map(Route::leader).orElse("none") + ", timeout=" + timeout.toMillis() + "ms]: "
                        + (last == null ? "no leader in the routing table" : last.getMessage()), last);
            }
            retries.incrementAndGet();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(backoff, left)));
            backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
        }
    }

    private StorageServiceGrpc.StorageServiceBlockingStub stub(Route route) {
        return StorageServiceGrpc.newBlockingStub(channels.get(route.address()))
                .withDeadlineAfter(callDeadlineMs(), TimeUnit.MILLISECONDS);
    }

    private static ShardRef ref(String db, int shard, Route route) {
        return ShardRef.newBuilder().setDatabase(db).setShard(shard).setEpoch(route.epoch()).build();
    }

    private static long remainingMs(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    @Override
    public void close() {
        channels.close();
        meta.close();
        store.close();
    }
}
