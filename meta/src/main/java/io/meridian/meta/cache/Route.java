package io.meridian.meta.cache;

import io.meridian.meta.model.ShardId;
import java.util.Objects;

/**
 * Where to send writes for one shard.
 *
 * @param shard the shard
 * @param leader the leader's node id
 * @param address the leader's {@code host:port}
 * @param epoch the epoch writes must carry
 */
public record Route(ShardId shard, String leader, String address, long epoch) {
    public Route {
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(leader, "leader");
        Objects.requireNonNull(address, "address");
    }
}
