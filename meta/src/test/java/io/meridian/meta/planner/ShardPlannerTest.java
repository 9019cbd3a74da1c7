package io.meridian.meta.planner;

import static io.meridian.meta.planner.Views.db;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ReplicaReport;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ShardPlannerTest {
    private static final Duration DELAY = Duration.ofMinutes(5);
    private final ShardPlanner planner = new ShardPlanner(new PlannerOptions(DELAY));
    private final DdlPlanner ddl = new DdlPlanner(planner);

    @Test
    void createPlacesDistinctBalancedReplicasAndLeaders() {
        ClusterView v = Views.withNodes("n1", "n2", "n3");
        v = v.apply(ddl.createDatabase(v, db("metrics", 6, 2, "c1")));

        assertThat(v.states()).hasSize(6);
        for (ShardState s : v.states().values()) {
            assertThat(s.replicas()).hasSize(2).doesNotHaveDuplicates();
            assertThat(s.leader()).isIn(s.replicas());
            assertThat(s.epoch()).isEqualTo(1);
            assertThat(s.inSync()).containsExactlyInAnyOrderElementsOf(s.replicas());
        }
        assertThat(Views.replicaLoad(v)).containsOnly(Map.entry("n1", 4), Map.entry("n2", 4), Map.entry("n3", 4));
        Map<String, Long> leaders =
                v.states().values().stream().collect(Collectors.groupingBy(ShardState::leader, Collectors.counting()));
        assertThat(leaders).containsOnly(Map.entry("n1", 2L), Map.entry("n2", 2L), Map.entry("n3", 2L));
        assertThat(planner.reconcile(v))
                .as("a fresh placement is already stable")
                .isEmpty();
    }

    /** Table: replicas a,b,c (placement order), leader a at epoch 1; then some nodes die. */
    static Stream<Arguments> leaderLossCases() {
        return Stream.of(
                // name, inSync, seqs (a,b,c), dead, want leader, want epoch, want inSync
                Arguments.of(
                        "highest in-sync sequence wins",
                        Set.of("a", "b", "c"),
                        List.of(10L, 7L, 9L),
                        Set.of("a"),
                        "c",
                        2L,
                        Set.of("b", "c")),
                Arguments.of(
                        "tie goes to placement order",
                        Set.of("a", "b", "c"),
                        List.of(10L, 9L, 9L),
                        Set.of("a"),
                        "b",
                        2L,
                        Set.of("b", "c")),
                Arguments.of(
                        "out-of-sync replica never leads",
                        Set.of("a", "b"),
                        List.of(10L, 5L, 100L),
                        Set.of("a"),
                        "b",
                        2L,
                        Set.of("b")),
                Arguments.of(
                        "no live in-sync replica: leaderless, in-sync kept",
                        Set.of("a"),
                        List.of(10L, 5L, 5L),
                        Set.of("a"),
                        null,
                        2L,
                        Set.of("a")),
                Arguments.of(
                        "follower loss keeps leader and epoch",
                        Set.of("a", "b", "c"),
                        List.of(10L, 10L, 10L),
                        Set.of("c"),
                        "a",
                        1L,
                        Set.of("a", "b")),
                Arguments.of(
                        "leader and best follower lost",
                        Set.of("a", "b", "c"),
                        List.of(10L, 10L, 3L),
                        Set.of("a", "b"),
                        "c",
                        2L,
                        Set.of("c")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leaderLossCases")
    void leaderLoss(
            String name,
            Set<String> inSync,
            List<Long> seqs,
            Set<String> dead,
            String wantLeader,
            long wantEpoch,
            Set<String> wantInSync) {
        ClusterView v = Views.withNodes("a", "b", "c")
                .apply(List.of(
                        new MetaChange.PutDatabase(db("d", 1, 3, "c1")),
                        new MetaChange.PutShard(new ShardState(
                                "d",
                                "c1",
                                0,
                                List.of("a", "b", "c"),
                                "a",
                                1,
                                inSync,
                                Map.of("a", seqs.get(0), "b", seqs.get(1), "c", seqs.get(2))))));
        v = Views.kill(v, dead.toArray(String[]::new));

        ShardState after = Views.settle(planner, v, 10).states().get(new ShardId("d", "c1", 0));

        assertThat(after.leader()).isEqualTo(wantLeader);
        assertThat(after.epoch()).isEqualTo(wantEpoch);
        assertThat(after.inSync()).containsExactlyInAnyOrderElementsOf(wantInSync);
        assertThat(after.replicas())
                .as("dead replicas are kept for their return")
                .containsExactly("a", "b", "c");
    }

    @Test
    void aLeaderThatReportsAProblemHandsLeadershipToAHealthyInSyncReplica() {
        ShardState start = new ShardState(
                "d",
                "c1",
                0,
                List.of("a", "b", "c"),
                "a",
                3,
                Set.of("a", "b", "c"),
                Map.of("a", 40L, "b", 40L, "c", 38L));
        ClusterView v = Views.withNodes("a", "b", "c")
                .apply(List.of(new MetaChange.PutDatabase(db("d", 1, 3, "c1")), new MetaChange.PutShard(start)));
        v = v.withReports(Map.of(
                "a", new NodeReport("a", List.of(), List.of(new ReplicaReport(start, 40L, "disk full [node=a]"))),
                "b", new NodeReport("b", List.of(), List.of(new ReplicaReport(start, 40L, "shard stopped"))),
                "c", new NodeReport("c", List.of(), List.of(new ReplicaReport(start, 40L)))));

        ShardState after = Views.settle(planner, v, 10).states().get(new ShardId("d", "c1", 0));

        assertThat(after.leader()).as("the only healthy in-sync replica").isEqualTo("c");
        assertThat(after.epoch()).isEqualTo(4);
        assertThat(after.replicas()).containsExactly("a", "b", "c");
    }

    @Test
    void aLeaderWithAProblemKeepsLeadingWhenNoHealthyReplicaCanTakeOver() {
        ShardState start =
                new ShardState("d", "c1", 0, List.of("a", "b"), "a", 3, Set.of("a"), Map.of("a", 40L, "b", 10L));
        ClusterView v = Views.withNodes("a", "b")
                .apply(List.of(new MetaChange.PutDatabase(db("d", 1, 2, "c1")), new MetaChange.PutShard(start)));
        v = v.withReports(
                Map.of("a", new NodeReport("a", List.of(), List.of(new ReplicaReport(start, 40L, "disk full")))));

        ShardState after = Views.settle(planner, v, 10).states().get(new ShardId("d", "c1", 0));

        assertThat(after.leader())
                .as("b is not in sync: promoting it would lose data")
                .isEqualTo("a");
        assertThat(after.epoch()).isEqualTo(3);
    }

    @Test
    void leaderlessShardRecoversWhenAnInSyncMemberReturns() {
        ClusterView v = Views.withNodes("a", "b")
                .apply(List.of(
                        new MetaChange.PutDatabase(db("d", 1, 2, "c1")),
                        new MetaChange.PutShard(new ShardState(
                                "d", "c1", 0, List.of("a", "b"), null, 4, Set.of("a"), Map.of("a", 10L, "b", 3L)))));

        ShardState after = Views.settle(planner, v, 10).states().get(new ShardId("d", "c1", 0));

        assertThat(after.leader()).isEqualTo("a");
        assertThat(after.epoch()).isEqualTo(5);
        assertThat(after.inSync()).containsExactly("a");
    }

    @Test
    void returningReplicaRejoinsInSyncOnceCaughtUp() {
        ClusterView v = Views.withNodes("a", "b")
                .apply(List.of(
                        new MetaChange.PutDatabase(db("d", 1, 2, "c1")),
                        new MetaChange.PutShard(new ShardState(
                                "d", "c1", 0, List.of("a", "b"), "a", 2, Set.of("a"), Map.of("a", 50L, "b", 10L)))));
        assertThat(planner.reconcile(v)).as("b is behind: nothing to do").isEmpty();

        ShardState known = v.states().get(new ShardId("d", "c1", 0));
        v = v.withReports(Map.of(
                "a", new NodeReport("a", List.of(), List.of(new ReplicaReport(known, 60L))),
                "b", new NodeReport("b", List.of(), List.of(new ReplicaReport(known, 60L)))));
        ShardState after = Views.settle(planner, v, 10).states().get(new ShardId("d", "c1", 0));

        assertThat(after.inSync()).containsExactly("a", "b");
        assertThat(after.lastSeq()).containsEntry("a", 60L).containsEntry("b", 60L);
        assertThat(after.epoch()).as("no leader change").isEqualTo(2);
    }

    @Test
    void newNodeReceivesReplicasOnlyAfterTheRebalanceDelay() {
        ClusterView v = Views.withNodes("n1", "n2", "n3");
        v = v.apply(ddl.createDatabase(v, db("metrics", 8, 2, "c1")));
        v = Views.join(v, "n4");

        assertThat(planner.reconcile(v)).as("n4 just joined").isEmpty();
        assertThat(planner.reconcile(v.withNow(v.now().plus(DELAY).minusSeconds(1))))
                .isEmpty();

        ClusterView later = Views.settle(planner, v.withNow(v.now().plus(DELAY)), 50);
        Map<String, Integer> load = Views.replicaLoad(later);
        assertThat(load.get("n4")).isGreaterThan(0);
        int max = load.values().stream().max(Integer::compare).orElseThrow();
        int min = load.values().stream().min(Integer::compare).orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(1);
        for (ShardState s : later.states().values()) {
            assertThat(s.replicas()).doesNotHaveDuplicates().hasSize(2);
            assertThat(s.leader()).isIn(s.inSync());
        }
    }

    @Test
    void alterReplicasGrowsAndShrinks() {
        ClusterView v = Views.withNodes("n1", "n2", "n3");
        v = v.apply(ddl.createDatabase(v, db("metrics", 2, 1, "c1")));
        v = Views.settle(planner, v.apply(ddl.alterDatabase(v, db("metrics", 2, 3, "c1"))), 10);
        assertThat(v.states().values()).allSatisfy(s -> assertThat(s.replicas()).hasSize(3));

        v = Views.settle(planner, v.apply(ddl.alterDatabase(v, db("metrics", 2, 2, "c1"))), 10);
        assertThat(v.states().values()).allSatisfy(s -> {
            assertThat(s.replicas()).hasSize(2);
            assertThat(s.replicas()).contains(s.leader());
        });
    }

    @Test
    void shrinkDropsDeadReplicasFirst() {
        ClusterView v = Views.withNodes("a", "b", "c")
                .apply(List.of(
                        new MetaChange.PutDatabase(db("d", 1, 2, "c1")),
                        new MetaChange.PutShard(new ShardState(
                                "d", "c1", 0, List.of("a", "b", "c"), "a", 1, Set.of("a", "b", "c"), Map.of()))));
        v = Views.kill(v, "b");

        ShardState after = Views.settle(planner, v, 10).states().get(new ShardId("d", "c1", 0));

        assertThat(after.replicas()).containsExactly("a", "c");
    }

    @Test
    void replicaOnANodeAwayLongerThanTheRepairDelayIsReplaced() {
        ShardPlanner repairing = new ShardPlanner(new PlannerOptions(DELAY, Duration.ofMinutes(30)));
        ClusterView v = Views.withNodes("a", "b", "c", "d")
                .apply(List.of(
                        new MetaChange.PutDatabase(db("d", 1, 3, "c1")),
                        new MetaChange.PutShard(new ShardState(
                                "d",
                                "c1",
                                0,
                                List.of("a", "b", "c"),
                                "a",
                                1,
                                Set.of("a", "b", "c"),
                                Map.of("a", 10L, "b", 10L, "c", 10L)))));
        v = Views.kill(v, "c");

        ClusterView early = Views.settle(repairing, v.withNow(v.now().plus(Duration.ofMinutes(29))), 10);
        assertThat(early.states().get(new ShardId("d", "c1", 0)).replicas()).containsExactly("a", "b", "c");

        ClusterView late = Views.settle(repairing, early.withNow(v.now().plus(Duration.ofMinutes(30))), 10);
        ShardState s = late.states().get(new ShardId("d", "c1", 0));
        assertThat(s.replicas()).containsExactly("a", "b", "d");
        assertThat(s.inSync()).as("the new replica must catch up first").containsExactly("a", "b");
        assertThat(s.lastSeq()).containsOnlyKeys("a", "b", "d").containsEntry("d", 0L);
        assertThat(s.epoch()).isEqualTo(1);
    }

    @Test
    void leaderlessShardIsNeverRepairedAway() {
        ShardPlanner repairing = new ShardPlanner(new PlannerOptions(DELAY, Duration.ZERO));
        ClusterView v = Views.withNodes("a", "b", "c")
                .apply(List.of(
                        new MetaChange.PutDatabase(db("d", 1, 2, "c1")),
                        new MetaChange.PutShard(new ShardState(
                                "d",
                                "c1",
                                0,
                                List.of("a", "b"),
                                "a",
                                1,
                                Set.of("a", "b"),
                                Map.of("a", 10L, "b", 10L)))));
        v = Views.kill(v, "a", "b");

        ShardState s = Views.settle(repairing, v.withNow(v.now().plusSeconds(3600)), 10)
                .states()
                .get(new ShardId("d", "c1", 0));

        assertThat(s.leader()).isNull();
        assertThat(s.replicas()).as("the dead in-sync replicas hold the data").containsExactly("a", "b");
    }

    @Test
    void addingAnIdcClusterPlacesItsShardsThereAndRemovingOneDropsThem() {
        ClusterView v = Views.withNodes("e1", "e2");
        Map<String, NodeInfo> nodes = new HashMap<>(v.liveNodes());
        nodes.put("w1", Views.storage("w1", "west"));
        nodes.put("w2", Views.storage("w2", "west"));
        v = v.withNodes(nodes, v.liveSince())
                .apply(List.of(new MetaChange.PutCluster(new StorageCluster("west", "idc2"))));
        v = v.apply(ddl.createDatabase(v, db("cpu", 2, 2, "c1")));

        v = Views.settle(planner, v.apply(ddl.alterDatabase(v, db("cpu", 2, 2, "c1", "west"))), 10);
        assertThat(v.states().keySet())
                .extracting(ShardId::cluster)
                .containsExactlyInAnyOrder("c1", "c1", "west", "west");
        assertThat(v.states().values())
                .filteredOn(s -> s.cluster().equals("west"))
                .allSatisfy(s -> assertThat(s.replicas()).containsExactlyInAnyOrder("w1", "w2"));

        v = Views.settle(planner, v.apply(ddl.alterDatabase(v, db("cpu", 2, 2, "west"))), 10);
        assertThat(v.states().keySet()).extracting(ShardId::cluster).containsOnly("west");
    }

    @Test
    void dropDeletesEveryShard() {
        ClusterView v = Views.withNodes("n1", "n2");
        v = v.apply(ddl.createDatabase(v, db("metrics", 3, 2, "c1")));
        v = v.apply(ddl.dropDatabase(v, "metrics"));
        assertThat(v.databases()).isEmpty();
        assertThat(v.states()).isEmpty();
        assertThat(planner.reconcile(v)).isEmpty();
    }

    @Test
    void shardsArePlacedWhenTheFirstNodeOfAClusterRegisters() {
        ClusterView v = Views.withNodes().apply(List.of(new MetaChange.PutDatabase(db("d", 2, 1, "c1"))));
        assertThat(planner.reconcile(v)).isEmpty();

        ClusterView joined = Views.settle(planner, Views.join(v, "n1"), 10);

        assertThat(joined.states().values())
                .hasSize(2)
                .allSatisfy(s -> assertThat(s.leader()).isEqualTo("n1"));
    }
}
