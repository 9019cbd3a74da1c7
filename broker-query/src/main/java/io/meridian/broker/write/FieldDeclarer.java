package io.meridian.broker.write;

import io.meridian.common.error.MeridianException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.model.FieldType;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.DeclareFieldRequest;
import io.meridian.meta.client.ShardLeaderClient;
import java.util.Map;
import java.util.Objects;

/**
 * Declares field types of a metric on every shard leader of a database (the storage {@code DeclareField} RPC,
 * which the leader appends to its replica log so followers learn it too), through the {@link ShardLeaderClient}:
 * a retriable answer (not the leader, stale epoch, unavailable) is retried with the route read again until the
 * timeout; any other error (e.g. TYPE_CONFLICT for a different re-declaration) is thrown as is. Declaring the same
 * type again is a no-op on storage, so a partly applied request can simply be sent again.
 *
 * <p>Thread-safe.
 */
public final class FieldDeclarer {
    private final ShardLeaderClient leaders;

    /** @param leaders the client of shard leaders (owned by the caller) */
    public FieldDeclarer(ShardLeaderClient leaders) {
        this.leaders = Objects.requireNonNull(leaders, "leaders");
    }

    /**
     * Declares every field on every shard, shard by shard.
     *
     * @throws MeridianException the first non-retriable storage error, or {@link ShardUnavailableException} naming
     *                           the shard when a leader did not accept in time
     */
    public void declare(String db, int shards, String metric, Map<String, FieldType> fields) {
        long deadline = leaders.deadline();
        for (int shard = 0; shard < shards; shard++) {
            for (Map.Entry<String, FieldType> f : fields.entrySet()) {
                leaders.call(
                        db,
                        shard,
                        "declare field " + metric + "." + f.getKey(),
                        deadline,
                        leader -> leader.stub()
                                .declareField(DeclareFieldRequest.newBuilder()
                                        .setShard(leader.shard())
                                        .setMetric(metric)
                                        .setField(f.getKey())
                                        .setType(WireEnums.toWire(f.getValue()))
                                        .build()));
            }
        }
    }
}
