package io.meridian.storage.server;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.NotLeaderException;
import io.meridian.storage.engine.Shard;
import java.util.Objects;

/**
 * One shard replica served by this node: the open {@link Shard} and the epoch the master assigned.
 * Immutable; {@link ShardRegistry} swaps in a new instance when the epoch changes.
 *
 * @param key   database and shard
 * @param shard the open engine instance
 * @param epoch the shard epoch this replica serves writes at (>= 1)
 * @param leader whether it leads the shard (takes writes) or follows (replicates from the leader, serves reads)
 */
public record ShardReplica(ShardKey key, Shard shard, long epoch, boolean leader) {
    public ShardReplica {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(shard, "shard");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1 [shard=" + key + ", epoch=" + epoch + "]");
        }
    }

    /**
     * Fencing: a write must go to the leader and name the epoch it is at.
     *
     * @throws InvalidInputException when the request names no epoch (0)
     * @throws NotLeaderException    when it names another epoch (the caller's routing is stale, or this node's)
     */
    public void checkEpoch(long requested) {
        checkLeader();
        if (requested == 0) {
            throw new InvalidInputException("missing shard epoch " + key.context()
                    + ": writes must name the epoch they were routed with (ShardRef.epoch >= 1)");
        }
        if (requested != epoch) {
            throw new NotLeaderException(
                    "shard epoch mismatch " + key.context() + ": got " + Long.toUnsignedString(requested)
                            + "; this replica is at epoch " + epoch + " (refresh routing and retry)");
        }
    }

    /** @throws NotLeaderException when this replica follows */
    public void checkLeader() {
        if (!leader) {
            throw new NotLeaderException("not the leader " + key.context() + ": this replica follows at epoch " + epoch
                    + " (refresh routing and retry)");
        }
    }

    ShardReplica withRole(long newEpoch, boolean newLeader) {
        return new ShardReplica(key, shard, newEpoch, newLeader);
    }
}
