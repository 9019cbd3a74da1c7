package io.meridian.it.harness;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.StorageChannels;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.DeclareFieldRequest;
import io.meridian.common.rpc.storage.v1.HealthRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.ReplicaHealth;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.common.rpc.storage.v1.WriteOutcome;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.ShardState;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.server.LeafQueryCodec;
import io.meridian.storage.server.PointBatchCodec;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRefCodec;
import io.meridian.storage.shard.WriteBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A writer and reader of one database the way the Flink sink and the broker talk to storage: routes each
 * batch to the shard's current leader from meta (read fresh from etcd), and on any retriable error (not leader,
 * stale epoch, unavailable, not replicated, busy, connection refused) refreshes the route and retries the same
 * (writer id, sequence) until it is acknowledged, within a bound. Counts what it did for the test's asserts.
 */
public final class ShardClient implements AutoCloseable {
    private final MeridianCluster cluster;
    private final String database;
    private final int shards;
    private final Map<String, ManagedChannel> channels = new HashMap<>();
    private long retries;
    private long duplicates;

    public ShardClient(MeridianCluster cluster, String database, int shards) {
        this.cluster = cluster;
        this.database = database;
        this.shards = shards;
    }

    /** Retries (after a retriable error) so far. */
    public synchronized long retries() {
        return retries;
    }

    /** Acknowledgements that came back DUPLICATE (a retry of an op the shard already had). */
    public synchronized long duplicates() {
        return duplicates;
    }

    public int shardOf(WriteBatch batch) {
        return SeriesHash.shardOf(batch.series().get(0).key().canonicalBytes(), shards);
    }

    /**
     * Writes {@code batch} (all of it for one shard) as ({@code writer}, {@code sequence}) and returns once a leader
     * acknowledged it, retrying through failovers for up to {@code bound}.
     */
    public WriteOutcome write(String writer, long sequence, WriteBatch batch, Duration bound) {
        int shard = shardOf(batch);
        long deadline = System.nanoTime() + bound.toNanos();
        MeridianException last = null;
        while (System.nanoTime() < deadline) {
            Optional<Route> route = route(shard);
            if (route.isPresent()) {
                try {
                    WriteOutcome o = stub(route.get().address())
                            .withDeadlineAfter(15, TimeUnit.SECONDS)
                            .write(WriteRequest.newBuilder()
                                    .setShard(ShardRefCodec.encode(
                                            new ShardKey(database, shard),
                                            route.get().epoch()))
                                    .setBatch(PointBatchCodec.encode(batch))
                                    .setWriterId(writer)
                                    .setSequence(sequence)
                                    .build())
                            .getOutcome();
                    if (o == WriteOutcome.WRITE_OUTCOME_DUPLICATE) {
                        synchronized (this) {
                            duplicates++;
                        }
                    }
                    return o;
                } catch (StatusRuntimeException e) {
                    last = RpcErrors.fromStatus(e);
                    if (!last.isRetriable()) {
                        throw last;
                    }
                }
            }
            synchronized (this) {
                retries++;
            }
            // back off briefly before reading the route again (bounded by the overall deadline)
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new AssertionError("write not acknowledged within " + bound + " [writer=" + writer + ", sequence="
                + sequence + "]: last error " + (last == null ? "no leader" : last.getMessage()));
    }

    /** Declares a field's type on the shard's current leader. */
    public void declare(int shard, String metric, String field, FieldType type) {
        Route r = route(shard).orElseThrow();
        stub(r.address())
                .withDeadlineAfter(15, TimeUnit.SECONDS)
                .declareField(DeclareFieldRequest.newBuilder()
                        .setShard(ShardRefCodec.encode(new ShardKey(database, shard), r.epoch()))
                        .setMetric(metric)
                        .setField(field)
                        .setType(WireEnums.toWire(type))
                        .build());
    }

    /**
     * Runs a leaf query on the replica of {@code shard} that {@code node} holds. The answer is over the query's whole
     * window (bucket i starts at {@code q.startMs() + i * q.bucketMs()}), so answers of replicas compare cell by
     * cell, although each replica answers only the part of the range its data can be in.
     */
    /** Every cell of a leaf result merged into one state (count, sum, ... of all groups and buckets). */
    public static AggState total(PartialTable r) {
        AggState all = AggState.empty();
        for (List<String> group : r.cells().keySet()) {
            for (int bucket = 0; bucket < r.buckets(); bucket++) {
                AggState cell = r.cell(group, bucket, 0);
                if (cell != null) {
                    all = all.merge(cell);
                }
            }
        }
        return all;
    }

    public PartialTable query(String nodeAddress, int shard, LeafQuery q) {
        List<LeafResultChunk> chunks = new ArrayList<>();
        stub(nodeAddress)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .leafQuery(LeafQueryCodec.encode(q)
                        .setShard(ShardRefCodec.encode(new ShardKey(database, shard), 0))
                        .build())
                .forEachRemaining(chunks::add);
        return PartialTable.of(q.groupBy(), q.fields(), q.startMs(), q.bucketMs(), q.bucketCount(), new HashMap<>())
                .merge(PartialTableCodec.decode(chunks));
    }

    /** The replica of {@code shard} on the node at {@code address}, as its Health reports it. */
    public Optional<ReplicaHealth> replica(String address, int shard) {
        return stub(address)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .health(HealthRequest.getDefaultInstance())
                .getReplicasList()
                .stream()
                .filter(h -> h.getDatabase().equals(database) && h.getShard() == shard)
                .findFirst();
    }

    /** The current leader of a shard and its epoch, read from etcd. */
    public Optional<Route> route(int shard) {
        var snapshot = cluster.truth();
        Optional<ShardState> s = snapshot.states().values().stream()
                .filter(st -> st.db().equals(database) && st.shard() == shard && st.leader() != null)
                .findFirst();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        NodeInfo leader = snapshot.nodes().get(s.get().leader());
        return leader == null
                ? Optional.empty()
                : Optional.of(
                        new Route(s.get().leader(), leader.address(), s.get().epoch()));
    }

    /** Where a shard's writes go. */
    public record Route(String nodeId, String address, long epoch) {}

    private synchronized StorageServiceGrpc.StorageServiceBlockingStub stub(String address) {
        ManagedChannel ch = channels.computeIfAbsent(address, StorageChannels::open);
        return StorageServiceGrpc.newBlockingStub(ch);
    }

    @Override
    public synchronized void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
