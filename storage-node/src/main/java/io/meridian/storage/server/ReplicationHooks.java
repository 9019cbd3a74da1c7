package io.meridian.storage.server;

import io.grpc.stub.ServerCallStreamObserver;
import io.meridian.common.error.NotLeaderException;
import io.meridian.common.rpc.storage.v1.FetchRequest;
import io.meridian.common.rpc.storage.v1.FetchResponse;
import io.meridian.common.rpc.storage.v1.SnapshotChunk;
import io.meridian.common.rpc.storage.v1.SnapshotRequest;

/**
 * How the RPC service hands writes and fetches to the replication layer. Without replication
 * ({@link #NONE}) a write is acknowledged once the leader made it durable and nobody may fetch.
 */
public interface ReplicationHooks {
    /** A single, unreplicated node. */
    ReplicationHooks NONE = new ReplicationHooks() {
        @Override
        public void beforeWrite(ShardReplica replica) {}

        @Override
        public void afterWrite(ShardReplica replica) {}

        @Override
        public FetchResponse fetch(FetchRequest request) {
            throw new NotLeaderException("replication is not enabled on this node [database="
                    + request.getShard().getDatabase() + ", shard="
                    + request.getShard().getShard() + "]");
        }

        @Override
        public void snapshot(SnapshotRequest request, ServerCallStreamObserver<SnapshotChunk> out) {
            throw new NotLeaderException("replication is not enabled on this node [database="
                    + request.getShard().getDatabase() + ", shard="
                    + request.getShard().getShard() + "]");
        }
    };

    /** Before a write-like call is applied: back-pressure (a retriable BUSY error changes nothing). */
    void beforeWrite(ShardReplica replica);

    /** After a write-like call was applied locally: returns once the write concern acknowledged it. */
    void afterWrite(ShardReplica replica);

    /** Serves a follower's fetch. */
    FetchResponse fetch(FetchRequest request);

    /** Streams a full re-sync snapshot to a follower (completes {@code out}, or throws before the first chunk). */
    void snapshot(SnapshotRequest request, ServerCallStreamObserver<SnapshotChunk> out);
}
