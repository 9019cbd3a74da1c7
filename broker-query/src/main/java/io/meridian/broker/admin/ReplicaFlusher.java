package io.meridian.broker.admin;

import io.grpc.StatusRuntimeException;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.rpc.ChannelPool;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.storage.v1.FlushRequest;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Writes the memtables of every replica of a database as parts now (storage {@code Flush}, storage.proto revision 8),
 * in every cluster the database lives in: what an operator runs before a backup or a disk-size measurement, as
 * VictoriaMetrics' {@code /internal/force_flush}. Replicas are flushed one at a time, so that a large flush does not
 * take every storage node's disk at once; a replica that fails (unreachable, a revision-7 node without the call, a
 * disk error) is reported and the others are still flushed.
 *
 * <p>Thread-safe.
 */
public final class ReplicaFlusher implements AutoCloseable {
    private final Supplier<MetaSnapshot> meta;
    private final Duration callTimeout;
    private final ChannelPool channels = new ChannelPool();

    /** One replica's answer. */
    public record Replica(String cluster, int shard, String node, long points, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    /** @param callTimeout how long one replica's flush may take (it writes its whole memtable) */
    public ReplicaFlusher(Supplier<MetaSnapshot> meta, Duration callTimeout) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
    }

    /**
     * Flushes every replica of {@code db}'s shards, in cluster, shard and read order (the leader first).
     *
     * @throws InvalidInputException NOT_FOUND when the database does not exist
     */
    public List<Replica> flush(String db) {
        MetaSnapshot s = meta.get();
        DatabaseConfig config = s.databases().get(db);
        if (config == null) {
            throw InvalidInputException.notFound("database", db);
        }
        List<Replica> out = new ArrayList<>();
        for (String cluster : config.clusters()) {
            for (int shard = 0; shard < config.shards(); shard++) {
                ShardState state = s.state(new ShardId(db, cluster, shard));
                if (state == null) {
                    out.add(new Replica(cluster, shard, null, 0, "the shard is not placed yet"));
                    continue;
                }
                for (String node : state.readOrder()) {
                    out.add(flush(s, db, cluster, shard, node));
                }
            }
        }
        return out;
    }

    private Replica flush(MetaSnapshot s, String db, String cluster, int shard, String node) {
        NodeInfo info = s.nodes().get(node);
        if (info == null) {
            return new Replica(cluster, shard, node, 0, "the node is not registered (down?)");
        }
        try {
            long points = StorageServiceGrpc.newBlockingStub(channels.get(info.address()))
                    .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .flush(FlushRequest.newBuilder()
                            .setShard(ShardRef.newBuilder().setDatabase(db).setShard(shard))
                            .build())
                    .getPoints();
            return new Replica(cluster, shard, node, points, null);
        } catch (StatusRuntimeException e) {
            return new Replica(cluster, shard, node, 0, RpcErrors.fromStatus(e).getMessage());
        }
    }

    @Override
    public void close() {
        channels.close();
    }
}
