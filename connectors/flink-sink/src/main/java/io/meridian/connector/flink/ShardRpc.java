package io.meridian.connector.flink;

import com.google.protobuf.ByteString;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.model.FieldType;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.AbortRequest;
import io.meridian.common.rpc.storage.v1.CommitRequest;
import io.meridian.common.rpc.storage.v1.FieldInfo;
import io.meridian.common.rpc.storage.v1.HealthRequest;
import io.meridian.common.rpc.storage.v1.ListFieldsRequest;
import io.meridian.common.rpc.storage.v1.ListFieldsResponse;
import io.meridian.common.rpc.storage.v1.WriteOutcome;
import io.meridian.common.rpc.storage.v1.WriteResponse;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.client.LeaderCallPolicy;
import io.meridian.meta.client.ShardLeaderClient;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sink's calls to shard leaders, through the {@link ShardLeaderClient} the broker uses too: each goes to the
 * current leader of (database, shard) in the sink's IDC, with the shard epoch from the metadata cache (fencing). A
 * retriable answer (not the leader, stale epoch, busy, not replicated, disk full, unreachable) is retried with the
 * route read again and an exponential back-off, until the request timeout; a busy storage node therefore slows the
 * sink down (back-pressure) instead of failing it.
 *
 * <p>Thread-safe. Owns its etcd client and metadata cache.
 */
final class ShardRpc implements AutoCloseable {
    /** The sink's back-off tops out higher than the broker's: it has no client waiting, only Kafka's lag. */
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(1);

    private final MetaStore store;
    private final MetaCache meta;
    private final Duration timeout;
    private final ShardLeaderClient leaders;
    /** Storage protocol revision by node address, asked once per node. */
    private final Map<String, Integer> revisions = new ConcurrentHashMap<>();

    private ShardRpc(MetaStore store, MetaCache meta, Duration timeout) {
        this.store = store;
        this.meta = meta;
        this.timeout = timeout;
        this.leaders = new ShardLeaderClient(
                meta::routing,
                db -> meta.snapshot().revision() > 0
                        && !meta.snapshot().databases().containsKey(db),
                LeaderCallPolicy.of(timeout)
                        .withBackoffMax(BACKOFF_MAX)
                        .withAttemptMax(Duration.ofMillis(callDeadlineMs(timeout))));
    }

    /** Connects to etcd and follows the metadata, for routing. */
    static ShardRpc open(SinkSettings settings) {
        MetaStore store = MetaStore.connect(new MetaStoreOptions(
                settings.etcdEndpoints(),
                settings.metaRoot(),
                MetaStoreOptions.DEFAULT_OPERATION_TIMEOUT,
                MetaStoreOptions.DEFAULT_WATCH_CHECK_INTERVAL));
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
        return leaders.retries();
    }

    /**
     * The configuration of {@code database}. Waits for the first metadata read (up to the request timeout), and
     * then up to 2 s more for a database that is not there yet (one created moments ago).
     *
     * @throws InvalidInputException (NOT_FOUND) when the database does not exist
     * @throws ShardUnavailableException when etcd gave no metadata within the request timeout
     */
    DatabaseConfig database(String database) {
        if (meta.await(s -> s.revision() > 0, timeout).isEmpty()) {
            throw new ShardUnavailableException(
                    "no metadata from etcd within " + timeout.toMillis() + "ms [db=" + database + "]", null);
        }
        return meta.await(s -> s.databases().containsKey(database), Duration.ofSeconds(2))
                .map(s -> s.databases().get(database))
                .orElseThrow(
                        () -> new InvalidInputException(
                                ErrorCode.NOT_FOUND,
                                "unknown database [db=" + database
                                        + "]: create it first (POST /api/v1/databases or bin/meridian admin databases create)"));
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
        return leaders.callOnce(
                                db,
                                shard,
                                "stage",
                                leader -> raw(
                                        leader,
                                        RawBatchCalls.STAGE,
                                        RawBatchCalls.stageRequest(leader.shard(), writerId, txn, batch)))
                        .getOutcome()
                == WriteOutcome.WRITE_OUTCOME_APPLIED;
    }

    /** Pauses for an exponential back-off step (10 ms doubling to 1 s, with jitter), bounded by {@code deadline}. */
    long backoff(long backoffMs, long deadline) {
        return leaders.backoff(backoffMs, deadline);
    }

    /** The deadline (System.nanoTime) of a request that starts now. */
    long deadline() {
        return leaders.deadline();
    }

    Duration timeout() {
        return timeout;
    }

    /** Commits transaction {@code txn}; a commit that already happened (a retry after a failover) is fine. */
    void commit(String db, int shard, String writerId, long txn) {
        leaders.call(
                db,
                shard,
                "commit",
                leader -> leader.stub()
                        .commit(CommitRequest.newBuilder()
                                .setShard(leader.shard())
                                .setWriterId(writerId)
                                .setTransactionId(txn)
                                .build()));
    }

    /** Drops what transaction {@code txn} staged (nothing when it staged nothing or committed). */
    void abort(String db, int shard, String writerId, long txn) {
        leaders.call(
                db,
                shard,
                "abort",
                leader -> leader.stub()
                        .abort(AbortRequest.newBuilder()
                                .setShard(leader.shard())
                                .setWriterId(writerId)
                                .setTransactionId(txn)
                                .build()));
    }

    /**
     * The declared type of each field of {@code metric} on the shard's leader; a field it does not list is new there,
     * and a write defines it as the type its partials were folded as.
     */
    Map<String, FieldType> fieldTypes(String db, int shard, String metric) {
        ListFieldsResponse r = leaders.call(
                db,
                shard,
                "list fields",
                leader -> leader.stub()
                        .listFields(ListFieldsRequest.newBuilder()
                                .setShard(leader.shard())
                                .setMetric(metric)
                                .build()));
        Map<String, FieldType> types = new HashMap<>();
        for (FieldInfo f : r.getFieldsList()) {
            types.put(f.getName(), WireEnums.fromWire(f.getType(), "field " + f.getName() + " of " + metric));
        }
        return types;
    }

    /**
     * Checks that the current leader of (db, shard) takes partial-carrying writes, asking each storage node its
     * protocol revision once (Health). A node of an older revision would refuse a batch of partials as empty; this
     * says why instead, before anything of the batch is sent.
     *
     * @throws InvalidInputException (FORMAT_VERSION) naming the node and its revision
     */
    void requirePartialWrites(String db, int shard) {
        leaders.call(db, shard, "health", leader -> {
            String address = leader.route().address();
            Integer revision = revisions.get(address);
            if (revision == null) {
                revision =
                        leader.stub().health(HealthRequest.getDefaultInstance()).getProtocolRevision();
                revisions.put(address, revision);
            }
            requirePartialWrites(db, shard, address, revision);
            return revision;
        });
    }

    /** @throws InvalidInputException (FORMAT_VERSION) when {@code revision} predates partial-carrying writes */
    static void requirePartialWrites(String db, int shard, String address, int revision) {
        if (revision < StorageRpc.PARTIAL_WRITES_REVISION) {
            throw new InvalidInputException(
                    ErrorCode.FORMAT_VERSION,
                    "storage node too old for partial aggregates [db=" + db + ", shard=" + shard + ", node="
                            + address + ", revision=" + revision + "]: want storage protocol revision >= "
                            + StorageRpc.PARTIAL_WRITES_REVISION
                            + "; upgrade the storage nodes, or turn pre-aggregation off"
                            + " (ingest.preaggregate.enabled: false) until then");
        }
    }

    /** Writes a batch at most once per (writer, sequence). */
    void write(String db, int shard, String writerId, long sequence, ByteString batch) {
        leaders.call(
                db,
                shard,
                "write",
                leader -> raw(
                        leader,
                        RawBatchCalls.WRITE,
                        RawBatchCalls.writeRequest(leader.shard(), batch, writerId, sequence)));
    }

    private static WriteResponse raw(
            ShardLeaderClient.Leader leader, MethodDescriptor<byte[], WriteResponse> method, byte[] request) {
        return ClientCalls.blockingUnaryCall(leader.channel(), method, leader.callOptions(), request);
    }

    /** One attempt's deadline: the request timeout, within 1 to 30 s. */
    private static long callDeadlineMs(Duration timeout) {
        return Math.max(1_000, Math.min(30_000, timeout.toMillis()));
    }

    @Override
    public void close() {
        leaders.close();
        meta.close();
        store.close();
    }
}
