package io.meridian.common.rpc;

import io.grpc.StatusRuntimeException;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import java.util.function.BooleanSupplier;

/**
 * A storage node's leaf query as a call in this JVM ({@link LocalServers#leafQuery}): the same answer the
 * {@code LeafQuery} stream would carry, as the table itself. Standalone's broker reads its own node's shards this way:
 * the stream's encoding of every state to protobuf and its decoding back, and gRPC's per-call machinery, were a
 * fifth of a small query's time on its cold path.
 */
@FunctionalInterface
public interface LocalLeafQuery {
    /**
     * Runs {@code request} on this node's replica of its shard, on the caller's thread.
     *
     * @param cancelled asked every few hundred series; once true the scan stops (the caller's deadline or cancel)
     * @return a table the caller owns: its request's group limit applied, its states not shared with anything
     * @throws StatusRuntimeException what the stream would have failed with (the same status, code and message), so
     *     that a caller handles both paths alike (another replica on a damaged one, a timeout, a bound)
     */
    PartialTable run(LeafQueryRequest request, BooleanSupplier cancelled);
}
