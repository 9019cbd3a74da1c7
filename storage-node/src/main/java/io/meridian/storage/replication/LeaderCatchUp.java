package io.meridian.storage.replication;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.storage.v1.FetchRequest;
import io.meridian.common.rpc.storage.v1.FetchResponse;
import io.meridian.common.rpc.storage.v1.HealthRequest;
import io.meridian.common.rpc.storage.v1.ReplicaHealth;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.replication.log.LogOp;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRefCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a newly elected leader does before it takes writes: the master promoted the in-sync replica with the
 * highest sequence it had <em>heard of</em>, but reports lag, so a fellow follower may hold a few more ops of
 * the same epoch, acknowledged to writers by the old leader's quorum. The new leader asks every reachable
 * replica for its position and reads the ops it lacks from the one furthest ahead on its own lineage (same
 * last epoch), so that no acknowledged op is truncated away afterwards. Replicas it cannot reach in time are
 * skipped: a majority write concern guarantees that a promoted in-sync replica, or one it can reach, holds
 * every acknowledged op unless more replicas failed than the concern tolerates.
 */
final class LeaderCatchUp {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderCatchUp.class);

    private LeaderCatchUp() {}

    /** Reads the ops this replica lacks from the peer furthest ahead; returns the LSN reached. */
    static long run(
            ShardKey key,
            String selfId,
            Shard shard,
            ReplicaAssignment a,
            ReplicationOptions options,
            Function<String, ManagedChannel> channels) {
        long deadline = System.nanoTime() + options.ackTimeout().toNanos();
        String best = null;
        long bestLsn = shard.lastLsn();
        long ownEpoch = shard.lastEpoch();
        for (Map.Entry<String, String> peer : a.addresses().entrySet()) {
            if (peer.getKey().equals(selfId)) {
                continue;
            }
            ReplicaHealth h = position(key, channels.apply(peer.getValue()), remainingMs(deadline));
            if (h != null && h.getLastLsn() > bestLsn && (h.getLastEpoch() == ownEpoch || shard.lastLsn() == 0)) {
                best = peer.getKey();
                bestLsn = h.getLastLsn();
            }
        }
        if (best == null) {
            return shard.lastLsn();
        }
        LOG.info(
                "new leader reads ops it lacks from a fellow replica [database={}, shard={}, from={}, have={}, peerHas={}]",
                key.database(),
                key.shard(),
                best,
                shard.lastLsn(),
                bestLsn);
        StorageServiceGrpc.StorageServiceBlockingStub stub =
                StorageServiceGrpc.newBlockingStub(channels.apply(a.addresses().get(best)));
        while (shard.lastLsn() < bestLsn && System.nanoTime() < deadline) {
            long from = shard.lastLsn() + 1;
            FetchResponse r;
            try {
                r = stub.withDeadlineAfter(remainingMs(deadline), TimeUnit.MILLISECONDS)
                        .fetch(FetchRequest.newBuilder()
                                .setProtocolRevision(StorageRpc.PROTOCOL_REVISION)
                                .setShard(ShardRefCodec.encode(key, a.epoch()))
                                .setFollowerId(selfId)
                                .setFromLsn(from)
                                .setLastEpoch(shard.lastEpoch())
                                .setCatchUp(true)
                                .setMaxBytes((int) Math.min(Integer.MAX_VALUE, options.fetchMaxBytes()))
                                .build());
            } catch (StatusRuntimeException e) {
                LOG.warn(
                        "catch-up read failed; leading with what this replica has [database={}, shard={}, from={}, "
                                + "lsn={}]: {}",
                        key.database(),
                        key.shard(),
                        best,
                        shard.lastLsn(),
                        e.getStatus());
                break;
            }
            if (r.getOpsCount() == 0) {
                break;
            }
            List<LogOp> ops = new ArrayList<>(r.getOpsCount());
            r.getOpsList().forEach(op -> ops.add(LogOpCodec.decode(op)));
            shard.applyReplicated(ops);
        }
        return shard.lastLsn();
    }

    private static ReplicaHealth position(ShardKey key, ManagedChannel channel, long timeoutMs) {
        try {
            for (ReplicaHealth h : StorageServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS)
                    .health(HealthRequest.getDefaultInstance())
                    .getReplicasList()) {
                if (h.getDatabase().equals(key.database()) && h.getShard() == key.shard()) {
                    return h;
                }
            }
        } catch (StatusRuntimeException e) {
            LOG.debug(
                    "peer unreachable during catch-up [database={}, shard={}]: {}",
                    key.database(),
                    key.shard(),
                    e.getStatus());
        }
        return null;
    }

    private static long remainingMs(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** Serves a catch-up read from whatever replica of the shard this node holds. */
    static FetchResponse serve(Shard shard, FetchRequest request, long maxBytes) {
        FetchResponse.Builder b = FetchResponse.newBuilder().setLeaderLsn(shard.lastLsn());
        for (LogOp op : shard.readLog(request.getFromLsn(), maxBytes, null).ops()) {
            b.addOps(LogOpCodec.encode(op));
        }
        return b.build();
    }
}
