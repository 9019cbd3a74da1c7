package io.meridian.meta.cache;

import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import java.util.List;
import java.util.Objects;

/**
 * What one storage node does for one shard, derived from the shard state: lead it (accept writes at
 * {@code epoch}, replicate to {@code followers}) or follow {@code leader}.
 *
 * @param shard the shard
 * @param leader whether this node leads it
 * @param epoch the epoch writes must carry
 * @param leaderNode the leader's node id, or null while the shard has none
 * @param followers the other replicas (for the leader: whom to replicate to)
 */
public record ShardRole(ShardId shard, boolean leader, long epoch, String leaderNode, List<String> followers) {
    public ShardRole {
        Objects.requireNonNull(shard, "shard");
        followers = List.copyOf(followers);
    }

    static ShardRole of(ShardState s, String nodeId) {
        List<String> others =
                s.replicas().stream().filter(n -> !n.equals(s.leader())).toList();
        return new ShardRole(s.id(), nodeId.equals(s.leader()), s.epoch(), s.leader(), others);
    }
}
