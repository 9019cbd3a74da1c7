package io.meridian.storage.server;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.AbortRequest;
import io.meridian.common.rpc.storage.v1.AbortResponse;
import io.meridian.common.rpc.storage.v1.CommitRequest;
import io.meridian.common.rpc.storage.v1.DeclareFieldRequest;
import io.meridian.common.rpc.storage.v1.DeclareFieldResponse;
import io.meridian.common.rpc.storage.v1.FetchRequest;
import io.meridian.common.rpc.storage.v1.FetchResponse;
import io.meridian.common.rpc.storage.v1.FieldInfo;
import io.meridian.common.rpc.storage.v1.FlushRequest;
import io.meridian.common.rpc.storage.v1.FlushResponse;
import io.meridian.common.rpc.storage.v1.HealthRequest;
import io.meridian.common.rpc.storage.v1.HealthResponse;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.ListFieldsRequest;
import io.meridian.common.rpc.storage.v1.ListFieldsResponse;
import io.meridian.common.rpc.storage.v1.ListMetricsRequest;
import io.meridian.common.rpc.storage.v1.ListMetricsResponse;
import io.meridian.common.rpc.storage.v1.ListTagValuesRequest;
import io.meridian.common.rpc.storage.v1.ListTagValuesResponse;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.ReplicaHealth;
import io.meridian.common.rpc.storage.v1.SnapshotChunk;
import io.meridian.common.rpc.storage.v1.SnapshotRequest;
import io.meridian.common.rpc.storage.v1.StageRequest;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.common.rpc.storage.v1.WriteOutcome;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.common.rpc.storage.v1.WriteResponse;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.shard.ShardStats;
import io.meridian.storage.shard.WriteBatch;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code meridian.storage.v1.StorageService} of one node over its {@link ShardRegistry}. Every call
 * decodes and validates the whole request before the engine is touched, so a rejected request changes
 * nothing; errors become gRPC statuses through {@link RpcErrors} with the call's context
 * ({@code cannot write [database=db, shard=3]: ...}).
 *
 * <p>Threading: calls run on the server's executor and may block on the WAL's fsync; the engine is
 * thread-safe.
 */
public final class StorageService extends StorageServiceGrpc.StorageServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(StorageService.class);

    private final ShardRegistry registry;
    private final ReplicationHooks replication;

    public StorageService(ShardRegistry registry) {
        this(registry, ReplicationHooks.NONE);
    }

    public StorageService(ShardRegistry registry, ReplicationHooks replication) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.replication = Objects.requireNonNull(replication, "replication");
    }

    @Override
    public void write(WriteRequest request, StreamObserver<WriteResponse> observer) {
        unary(
                observer,
                "cannot write",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard(),
                () -> {
                    ShardReplica replica =
                            registry.replica(ShardRefCodec.decode(request.hasShard(), request.getShard()));
                    WriteBatch batch = decodeBatch(request.hasBatch(), request.getBatch(), replica);
                    if (!request.getWriterId().isEmpty()) {
                        batch = batch.withWriter(request.getWriterId(), request.getSequence());
                    } else if (request.getSequence() != 0) {
                        throw new InvalidInputException("sequence without writer id [field=sequence, sequence="
                                + Long.toUnsignedString(request.getSequence())
                                + "]: set writer_id or leave sequence 0");
                    }
                    replica.checkEpoch(request.getShard().getEpoch());
                    registry.disk().checkWritable(); // 507 before anything is logged: nothing changes
                    replication.beforeWrite(replica);
                    Shard.WriteResult result = replica.shard().write(batch);
                    replication.afterWrite(replica);
                    return response(result, batch);
                });
    }

    @Override
    public void stage(StageRequest request, StreamObserver<WriteResponse> observer) {
        unary(
                observer,
                "cannot stage",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard(),
                () -> {
                    ShardReplica replica =
                            registry.replica(ShardRefCodec.decode(request.hasShard(), request.getShard()));
                    WriteBatch batch = decodeBatch(request.hasBatch(), request.getBatch(), replica);
                    long txn = transactionId(request.getWriterId(), request.getTransactionId());
                    replica.checkEpoch(request.getShard().getEpoch());
                    registry.disk().checkWritable(); // 507 before anything is logged: nothing changes
                    replication.beforeWrite(replica);
                    Shard.WriteResult result = replica.shard().stage(request.getWriterId(), txn, batch);
                    replication.afterWrite(replica);
                    return response(result, batch);
                });
    }

    @Override
    public void commit(CommitRequest request, StreamObserver<WriteResponse> observer) {
        unary(
                observer,
                "cannot commit",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard(),
                () -> {
                    ShardReplica replica =
                            registry.replica(ShardRefCodec.decode(request.hasShard(), request.getShard()));
                    long txn = transactionId(request.getWriterId(), request.getTransactionId());
                    replica.checkEpoch(request.getShard().getEpoch());
                    replication.beforeWrite(replica);
                    Shard.WriteResult result = replica.shard().commit(request.getWriterId(), txn);
                    replication.afterWrite(replica);
                    return response(result, 0);
                });
    }

    @Override
    public void abort(AbortRequest request, StreamObserver<AbortResponse> observer) {
        unary(
                observer,
                "cannot abort",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard(),
                () -> {
                    ShardReplica replica =
                            registry.replica(ShardRefCodec.decode(request.hasShard(), request.getShard()));
                    long txn = transactionId(request.getWriterId(), request.getTransactionId());
                    replica.checkEpoch(request.getShard().getEpoch());
                    replication.beforeWrite(replica);
                    replica.shard().abort(request.getWriterId(), txn);
                    replication.afterWrite(replica);
                    return AbortResponse.getDefaultInstance();
                });
    }

    @Override
    public void declareField(DeclareFieldRequest request, StreamObserver<DeclareFieldResponse> observer) {
        unary(
                observer,
                "cannot declare field",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard(),
                () -> {
                    ShardReplica replica =
                            registry.replica(ShardRefCodec.decode(request.hasShard(), request.getShard()));
                    var type = WireEnums.fromWire(
                            request.getType(),
                            "field=type, metric=" + request.getMetric() + ", name=" + request.getField());
                    if (request.getShard().getEpoch() == 0) {
                        replica.checkLeader();
                    } else {
                        replica.checkEpoch(request.getShard().getEpoch());
                    }
                    registry.disk().checkWritable(); // 507 before anything is logged: nothing changes
                    replication.beforeWrite(replica);
                    replica.shard().declareField(request.getMetric(), request.getField(), type);
                    replication.afterWrite(replica);
                    return DeclareFieldResponse.getDefaultInstance();
                });
    }

    @Override
    public void leafQuery(LeafQueryRequest request, StreamObserver<LeafResultChunk> observer) {
        Context call = Context.current(); // cancelled when the client gives up (its deadline, or a cancel)
        PartialTable result;
        try {
            result = answer(request, call::isCancelled);
        } catch (RuntimeException e) {
            fail(observer, e, leafContext(request));
            return;
        }
        LeafResultStreamer.start(
                (ServerCallStreamObserver<LeafResultChunk>) observer,
                PartialTableCodec.chunks(
                        result,
                        chunkCells(request.getMaxCellsPerChunk()),
                        request.getGroupLimit(),
                        request.getTransformsList()));
    }

    /**
     * The leaf query of a caller in this JVM ({@link io.meridian.common.rpc.LocalLeafQuery}): the table the stream
     * would carry, its group limit applied; a failure is the status the stream would end with.
     */
    PartialTable leafTable(LeafQueryRequest request, BooleanSupplier cancelled) {
        try {
            return answer(request, cancelled).limitedTo(request.getGroupLimit());
        } catch (RuntimeException e) {
            throw failure(e, leafContext(request));
        }
    }

    private PartialTable answer(LeafQueryRequest request, BooleanSupplier cancelled) {
        Shard shard = registry.replica(ShardRefCodec.decode(request.hasShard(), request.getShard()))
                .shard();
        chunkCells(request.getMaxCellsPerChunk()); // refuses a bad chunk size on both paths alike
        return shard.query(LeafQueryCodec.decode(request), cancelled);
    }

    private static String leafContext(LeafQueryRequest request) {
        return context(
                "cannot query",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard());
    }

    @Override
    public void listMetrics(ListMetricsRequest request, StreamObserver<ListMetricsResponse> observer) {
        unary(
                observer,
                "cannot list metrics",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard(),
                () -> {
                    Shard shard = registry.replica(ShardRefCodec.decode(request.hasShard(), request.getShard()))
                            .shard();
                    return ListMetricsResponse.newBuilder()
                            .addAllMetrics(shard.metrics().stream().sorted().toList())
                            .build();
                });
    }

    @Override
    public void flush(FlushRequest request, StreamObserver<FlushResponse> observer) {
        unary(
                observer,
                "cannot flush",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard(),
                () -> {
                    Shard shard = registry.replica(ShardRefCodec.decode(request.hasShard(), request.getShard()))
                            .shard();
                    return FlushResponse.newBuilder().setPoints(shard.flush()).build();
                });
    }

    @Override
    public void listFields(ListFieldsRequest request, StreamObserver<ListFieldsResponse> observer) {
        unary(
                observer,
                "cannot list fields",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard(),
                () -> {
                    Shard shard = registry.replica(ShardRefCodec.decode(request.hasShard(), request.getShard()))
                            .shard();
                    ListFieldsResponse.Builder b = ListFieldsResponse.newBuilder();
                    shard.fields(request.getMetric()).values().stream()
                            .sorted((x, y) -> Integer.compare(x.id(), y.id()))
                            .forEach((FieldSchema.Field f) -> b.addFields(
                                    FieldInfo.newBuilder().setName(f.name()).setType(WireEnums.toWire(f.type()))));
                    return b.addAllTagKeys(shard.tagKeys(request.getMetric())).build();
                });
    }

    @Override
    public void listTagValues(ListTagValuesRequest request, StreamObserver<ListTagValuesResponse> observer) {
        unary(
                observer,
                "cannot list tag values",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard(),
                () -> {
                    Shard shard = registry.replica(ShardRefCodec.decode(request.hasShard(), request.getShard()))
                            .shard();
                    return ListTagValuesResponse.newBuilder()
                            .addAllValues(shard.tagValues(request.getMetric(), request.getTagKey()).stream()
                                    .sorted()
                                    .toList())
                            .build();
                });
    }

    @Override
    public void health(HealthRequest request, StreamObserver<HealthResponse> observer) {
        unary(observer, "cannot report health", null, 0, () -> {
            HealthResponse.Builder b =
                    HealthResponse.newBuilder().setServing(true).setProtocolRevision(StorageRpc.PROTOCOL_REVISION);
            for (ShardReplica r : registry.replicas()) {
                ShardStats st = r.shard().stats();
                b.addReplicas(ReplicaHealth.newBuilder()
                        .setDatabase(r.key().database())
                        .setShard(r.key().shard())
                        .setEpoch(r.epoch())
                        .setSeries(st.series())
                        .setParts(st.parts())
                        .setPartBytes(st.partBytes())
                        .setWalBytes(st.walBytes())
                        .setMemtablePoints(st.memtablePoints())
                        .setLastLsn(r.shard().lastLsn())
                        .setLastEpoch(r.shard().lastEpoch())
                        .setLeader(r.leader()));
            }
            return b.build();
        });
    }

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> observer) {
        unary(
                observer,
                "cannot fetch",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard(),
                () -> {
                    ShardKey key = ShardRefCodec.decode(request.hasShard(), request.getShard());
                    if (request.getFollowerId().isEmpty()
                            || request.getFollowerId().length() > 128) {
                        throw new InvalidInputException("invalid follower id [field=follower_id] " + key.context()
                                + ": want 1..128 characters");
                    }
                    if (request.getMaxWaitMs() > 10_000) {
                        throw new InvalidInputException("invalid fetch wait [field=max_wait_ms, value="
                                + Integer.toUnsignedString(request.getMaxWaitMs()) + "] " + key.context()
                                + ": want 0..10000");
                    }
                    registry.replica(key);
                    return replication.fetch(request);
                });
    }

    @Override
    public void snapshot(SnapshotRequest request, StreamObserver<SnapshotChunk> observer) {
        String context = context(
                "cannot snapshot",
                request.hasShard() ? request.getShard().getDatabase() : null,
                request.getShard().getShard());
        try {
            ShardKey key = ShardRefCodec.decode(request.hasShard(), request.getShard());
            if (request.getFollowerId().isEmpty() || request.getFollowerId().length() > 128) {
                throw new InvalidInputException(
                        "invalid follower id [field=follower_id] " + key.context() + ": want 1..128 characters");
            }
            registry.replica(key);
            replication.snapshot(request, (ServerCallStreamObserver<SnapshotChunk>) observer);
        } catch (RuntimeException e) {
            fail(observer, e, context);
        }
    }

    /** The request's batch, decoded against the series of the shard it is for. */
    private static WriteBatch decodeBatch(boolean present, PointBatch batch, ShardReplica replica) {
        if (!present) {
            throw new InvalidInputException("missing batch [field=batch]");
        }
        return PointBatchCodec.decode(batch, replica.shard().knownSeries());
    }

    private static long transactionId(String writerId, long transactionId) {
        if (writerId.isEmpty()) {
            throw new InvalidInputException("missing writer id [field=writer_id]: two-phase writes need one");
        }
        if (transactionId < 1) {
            throw new InvalidInputException("invalid transaction id [field=transaction_id, writer=" + writerId
                    + ", transaction=" + Long.toUnsignedString(transactionId) + "]: want 1.." + Long.MAX_VALUE);
        }
        return transactionId;
    }

    private static int chunkCells(int requested) {
        if (requested == 0) {
            return StorageRpc.DEFAULT_CELLS_PER_CHUNK;
        }
        if (requested < 0 || requested > StorageRpc.MAX_CELLS_PER_CHUNK) {
            throw new InvalidInputException("invalid chunk size [field=max_cells_per_chunk, value="
                    + Integer.toUnsignedString(requested) + "]: want 1.." + StorageRpc.MAX_CELLS_PER_CHUNK
                    + " or 0 for the default");
        }
        return requested;
    }

    private static WriteResponse response(Shard.WriteResult result, WriteBatch batch) {
        return response(result, batch.pointCount()).toBuilder()
                .setCells(batch.cellCount())
                .build();
    }

    private static WriteResponse response(Shard.WriteResult result, long points) {
        return WriteResponse.newBuilder()
                .setOutcome(
                        result == Shard.WriteResult.APPLIED
                                ? WriteOutcome.WRITE_OUTCOME_APPLIED
                                : WriteOutcome.WRITE_OUTCOME_DUPLICATE)
                .setPoints(points)
                .build();
    }

    /** {@code what [database=db, shard=3]} (or just {@code what} when the request names no shard). */
    private static String context(String what, String database, int shard) {
        return database == null
                ? what
                : what + " [database=" + database + ", shard=" + Integer.toUnsignedString(shard) + "]";
    }

    private static <T> void unary(
            StreamObserver<T> observer, String what, String database, int shard, Supplier<T> call) {
        T response;
        try {
            response = call.get();
        } catch (RuntimeException e) {
            fail(observer, e, context(what, database, shard));
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    private static void fail(StreamObserver<?> observer, RuntimeException e, String context) {
        observer.onError(failure(e, context));
    }

    /** The status a failed call ends with; logged when it is not the caller's doing. */
    private static StatusRuntimeException failure(RuntimeException e, String context) {
        if (!(e instanceof MeridianException m) || m.code().httpStatus() == 500) {
            LOG.error("storage call failed [{}]", context, e);
        }
        return RpcErrors.toStatus(e, context);
    }
}
