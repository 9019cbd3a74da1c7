package io.meridian.storage.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.IntervalSpec;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.replication.ReplicaAssignment;
import io.meridian.storage.server.ShardKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssignmentPlannerTest {
    static final NodeInfo S1 = node("s1", 7001);
    static final NodeInfo S2 = node("s2", 7002);
    static final NodeInfo S3 = node("s3", 7003);
    static final EngineSettings ENGINE = EngineSettings.defaults();
    final AssignmentPlanner planner = new AssignmentPlanner(S1, ENGINE);

    static NodeInfo node(String id, int port) {
        return new NodeInfo(id, NodeRole.STORAGE, "127.0.0.1", port, 0, "idc1", "c1", "test", Instant.EPOCH);
    }

    static DatabaseConfig db(String name, int shards, WriteConcern wc, String... clusters) {
        return new DatabaseConfig(
                name,
                shards,
                3,
                wc,
                List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("5m", "180d")),
                List.of(clusters));
    }

    static ShardState state(String db, String cluster, int shard, String leader, long epoch, String... replicas) {
        return new ShardState(db, cluster, shard, List.of(replicas), leader, epoch, Set.of(replicas), Map.of());
    }

    static MetaSnapshot snapshot(List<NodeInfo> nodes, List<DatabaseConfig> dbs, List<ShardState> states) {
        Map<String, NodeInfo> n = new HashMap<>();
        nodes.forEach(i -> n.put(i.id(), i));
        Map<String, DatabaseConfig> d = new HashMap<>();
        dbs.forEach(c -> d.put(c.name(), c));
        Map<String, ShardState> s = new HashMap<>();
        states.forEach(st -> s.put(MetaSnapshot.stateKey(st.db(), st.cluster(), st.shard()), st));
        return new MetaSnapshot(42, null, null, n, Map.of(), d, s, Map.of());
    }

    @Test
    void emptySnapshotAssignsNothing() {
        AssignmentPlan plan = planner.plan(MetaSnapshot.empty());
        assertThat(plan.assignments()).isEmpty();
        assertThat(plan.skipped()).isEmpty();
    }

    @Test
    void mapsEveryStateNamingThisNodeInItsCluster() {
        MetaSnapshot s = snapshot(
                List.of(S1, S2, S3),
                List.of(db("cpu", 2, WriteConcern.MAJORITY, "c1", "c2")),
                List.of(
                        state("cpu", "c1", 1, "s2", 3, "s2", "s1", "s3"),
                        state("cpu", "c1", 0, "s1", 1, "s1", "s2", "s3"),
                        state("cpu", "c2", 0, "x1", 1, "x1", "s1"), // another cluster: not ours
                        state("other", "c1", 0, "s2", 1, "s2", "s3"))); // not a replica here
        AssignmentPlan plan = planner.plan(s);

        assertThat(plan.skipped()).isEmpty();
        assertThat(plan.assignments())
                .extracting(ReplicaAssignment::key)
                .containsExactly(new ShardKey("cpu", 0), new ShardKey("cpu", 1));
        ReplicaAssignment leading = plan.assignments().get(0);
        assertThat(leading.isLedBy("s1")).isTrue();
        assertThat(leading.leaderAddress()).isEqualTo("127.0.0.1:7001");
        assertThat(leading.epoch()).isEqualTo(1);
        assertThat(leading.writeConcern()).isEqualTo(WriteConcern.MAJORITY);
        ReplicaAssignment following = plan.assignments().get(1);
        assertThat(following.leaderId()).isEqualTo("s2");
        assertThat(following.leaderAddress()).isEqualTo("127.0.0.1:7002");
        assertThat(following.epoch()).isEqualTo(3);
        assertThat(following.replicas()).containsExactly("s2", "s1", "s3");
        assertThat(following.inSync()).containsExactlyInAnyOrder("s1", "s2", "s3");
        assertThat(following.options().database().name()).isEqualTo("cpu");
        assertThat(following.options().database().shards()).isEqualTo(2);
        assertThat(following.options().database().intervals())
                .containsExactly(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("5m", "180d"));
        assertThat(following.options().memtableBytes()).isEqualTo(ENGINE.memtableBytes());
        assertThat(following.options().segmentDuration()).isEqualTo(ENGINE.segmentDuration());
    }

    @Test
    void ownLeadershipUsesOwnAddressBeforeRegistrationIsSeen() {
        MetaSnapshot s = snapshot(
                List.of(),
                List.of(db("cpu", 1, WriteConcern.LEADER, "c1")),
                List.of(state("cpu", "c1", 0, "s1", 2, "s1", "s2")));
        ReplicaAssignment a = planner.plan(s).assignments().get(0);
        assertThat(a.leaderAddress()).isEqualTo(S1.address());
        assertThat(a.writeConcern()).isEqualTo(WriteConcern.LEADER);
    }

    @Test
    void unregisteredOrMissingLeaderMeansNoLeader() {
        MetaSnapshot s = snapshot(
                List.of(S1),
                List.of(db("cpu", 2, WriteConcern.ALL, "c1")),
                List.of(state("cpu", "c1", 0, "s2", 4, "s2", "s1"), state("cpu", "c1", 1, null, 5, "s2", "s1")));
        List<ReplicaAssignment> as = planner.plan(s).assignments();
        assertThat(as).hasSize(2).allSatisfy(a -> {
            assertThat(a.leaderId()).isNull();
            assertThat(a.leaderAddress()).isNull();
        });
        assertThat(as).extracting(ReplicaAssignment::epoch).containsExactly(4L, 5L);
    }

    @Test
    void shardsThatCannotBeServedAreSkippedWithTheReason() {
        EngineSettings sevenSecondSegments = new EngineSettings(
                Duration.ofSeconds(7),
                ENGINE.memtableBytes(),
                ENGINE.memtableMaxAge(),
                ENGINE.walFsync(),
                ENGINE.walSegmentBytes(),
                ENGINE.futureTolerance(),
                ENGINE.seriesPerMetric(),
                ENGINE.tagsPerSeries(),
                ENGINE.fieldsPerMetric(),
                ENGINE.blockCacheBytes(),
                ENGINE.compactionMinParts(),
                ENGINE.maintenanceInterval(),
                ENGINE.memtableNodeBytes(),
                ENGINE.stagedTransactionExpiry(),
                ENGINE.diskMinFreePercent(),
                ENGINE.diskMinFreeFloor());
        MetaSnapshot s = snapshot(
                List.of(S1),
                List.of(db("cpu", 1, WriteConcern.LEADER, "c1")),
                List.of(
                        state("cpu", "c1", 0, "s1", 1, "s1"),
                        state("gone", "c1", 0, "s1", 1, "s1"),
                        state("cpu", "c1", 0, "s1", 1, "s1")));
        AssignmentPlan plan = new AssignmentPlanner(S1, sevenSecondSegments).plan(s);
        assertThat(plan.assignments()).isEmpty();
        assertThat(plan.skipped()).hasSize(2);
        assertThat(plan.skipped().get(0))
                .startsWith("cannot serve shard [shard=cpu/c1/0]: ")
                .contains("storage.segment-duration");
        assertThat(plan.skipped().get(1)).isEqualTo("no database config for shard [shard=gone/c1/0]");
    }

    @Test
    void sameSnapshotGivesEqualPlans() {
        MetaSnapshot s = snapshot(
                List.of(S1, S2),
                List.of(db("cpu", 1, WriteConcern.LEADER, "c1")),
                List.of(state("cpu", "c1", 0, "s2", 1, "s2", "s1")));
        assertThat(planner.plan(s)).isEqualTo(planner.plan(s));
    }
}
