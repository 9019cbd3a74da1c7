package io.meridian.storage.replication;

import io.meridian.storage.server.ShardKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an operator watches of replication, named {@code meridian_storage_replication_*} once exported:
 * per led shard the commit point, the ops not yet committed, each follower's lag in ops and the size of the
 * in-sync view; per node the truncations of diverged tails and writes refused for replication lag. Labels are
 * database, shard and follower node (bounded by the cluster's size).
 */
final class ReplicationMetrics {
    private final MeterRegistry registry;
    private final Counter truncations;
    private final Counter notReplicated;
    private final Counter resyncs;
    private final Counter quarantines;
    private final Map<ShardKey, List<Meter>> perLeader = new ConcurrentHashMap<>();

    ReplicationMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.truncations = Counter.builder("meridian.storage.replication.truncations")
                .description("uncommitted replica-log tails cut back after a leader change")
                .register(registry);
        this.resyncs = Counter.builder("meridian.storage.replication.resyncs")
                .description("replicas replaced by a full snapshot of the leader's")
                .register(registry);
        this.quarantines = Counter.builder("meridian.storage.replication.quarantines")
                .description("damaged replicas moved to quarantine/ to re-sync from their leader")
                .register(registry);
        this.notReplicated = Counter.builder("meridian.storage.replication.not.replicated")
                .description("writes whose write concern was not met within the ack timeout")
                .register(registry);
    }

    void bind(ShardKey key, ReplicaLeader leader, List<String> followers) {
        unbind(key);
        Tags tags = Tags.of("db", key.database(), "shard", Integer.toString(key.shard()));
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("meridian.storage.replication.commit.lsn", leader, ReplicaLeader::commitLsn)
                .description("highest op committed by the write concern")
                .tags(tags)
                .register(registry));
        meters.add(Gauge.builder("meridian.storage.replication.uncommitted.ops", leader, ReplicaLeader::uncommittedOps)
                .description("ops the leader holds beyond the commit point")
                .tags(tags)
                .register(registry));
        meters.add(Gauge.builder("meridian.storage.replication.in.sync", leader, ReplicaLeader::inSyncCount)
                .description("replicas in the leader's in-sync view, leader included")
                .tags(tags)
                .register(registry));
        for (String f : followers) {
            meters.add(Gauge.builder("meridian.storage.replication.follower.lag.ops", leader, l -> l.lagOf(f))
                    .description("ops the follower has not persisted yet")
                    .tags(tags.and("follower", f))
                    .register(registry));
        }
        perLeader.put(key, meters);
    }

    void unbind(ShardKey key) {
        List<Meter> meters = perLeader.remove(key);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    void truncated() {
        truncations.increment();
    }

    void resynced() {
        resyncs.increment();
    }

    void quarantined() {
        quarantines.increment();
    }

    void notReplicated() {
        notReplicated.increment();
    }
}
