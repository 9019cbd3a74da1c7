package io.meridian.meta.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.error.InvalidInputException;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random cluster histories (create/alter/drop databases, nodes dying, returning and joining, time passing):
 * after every step the planner converges, and its result keeps the safety invariants.
 */
class PlannerInvariantsTest {
    private static final Duration DELAY = Duration.ofMinutes(1);
    private static final Duration REPAIR_DELAY = Duration.ofMinutes(2);
    private static final List<String> POOL = List.of("n1", "n2", "n3", "n4", "n5", "n6");

    /** One step of a random history; {@code a} and {@code b} pick the node / database / size. */
    record Step(int kind, int a, int b) {}

    @Provide
    Arbitrary<List<Step>> histories() {
        Arbitrary<Step> step = Combinators.combine(
                        Arbitraries.integers().between(0, 6),
                        Arbitraries.integers().between(0, 5),
                        Arbitraries.integers().between(1, 4))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 500)
    void plannerKeepsInvariants(@ForAll("histories") List<Step> history) {
        ShardPlanner planner = new ShardPlanner(new PlannerOptions(DELAY, REPAIR_DELAY));
        DdlPlanner ddl = new DdlPlanner(planner);
        ClusterView v = Views.withNodes("n1", "n2", "n3");
        Map<ShardId, Long> epochs = new HashMap<>();
        Map<ShardId, String> leaders = new HashMap<>();
        for (Step step : history) {
            v = apply(ddl, v, step);
            v = Views.settle(planner, v, 200);
            checkInvariants(v, epochs, leaders);
        }
    }

    /** Law of placement: on live nodes, creating databases keeps the replica spread within one. */
    @Property(tries = 300)
    void placementKeepsReplicaSpreadWithinOne(@ForAll("sizes") List<Step> databases) {
        ShardPlanner planner = new ShardPlanner(new PlannerOptions(DELAY));
        DdlPlanner ddl = new DdlPlanner(planner);
        ClusterView v = Views.withNodes(POOL.toArray(String[]::new));
        int i = 0;
        for (Step d : databases) {
            v = v.apply(ddl.createDatabase(v, Views.db("db" + i++, d.a() + 1, d.b(), "c1")));
            assertThat(spread(v))
                    .as("replica spread after placing %s", databases)
                    .isLessThanOrEqualTo(1);
            v = Views.settle(planner, v, 50); // may still even out leaderships
            assertThat(spread(v))
                    .as("replica spread after settling %s", databases)
                    .isLessThanOrEqualTo(1);
        }
    }

    private static int spread(ClusterView v) {
        Map<String, Integer> load = Views.replicaLoad(v);
        return load.values().stream().max(Integer::compare).orElseThrow()
                - load.values().stream().min(Integer::compare).orElseThrow();
    }

    @Provide
    Arbitrary<List<Step>> sizes() {
        Arbitrary<Step> db = Combinators.combine(
                        Arbitraries.just(0),
                        Arbitraries.integers().between(0, 15),
                        Arbitraries.integers().between(1, 4))
                .as(Step::new);
        return db.list().ofMinSize(1).ofMaxSize(6);
    }

    private static ClusterView apply(DdlPlanner ddl, ClusterView v, Step s) {
        String node = POOL.get(s.a());
        String dbName = "db" + (s.a() % 3);
        try {
            return switch (s.kind()) {
                case 0 -> v.apply(ddl.createDatabase(v, Views.db(dbName, s.b(), 1 + s.a() % 3, "c1")));
                case 1 -> v.apply(ddl.alterDatabase(v, withReplicas(v, dbName, s.b())));
                case 2 -> v.apply(ddl.dropDatabase(v, dbName));
                case 3 -> Views.kill(v, node);
                case 4 -> v.isLive(node) ? v : Views.join(v, node);
                case 5 -> v.withNow(v.now().plus(DELAY.multipliedBy(s.b())));
                default -> v.withNow(v.now().plusSeconds(1));
            };
        } catch (InvalidInputException rejected) {
            return v; // a rejected statement changes nothing; that is covered by DdlPlannerTest
        }
    }

    private static DatabaseConfig withReplicas(ClusterView v, String name, int replicas) {
        DatabaseConfig old = v.databases().get(name);
        if (old == null) {
            throw InvalidInputException.notFound("database", name);
        }
        return new DatabaseConfig(name, old.shards(), replicas, old.writeConcern(), old.intervals(), old.clusters());
    }

    private static void checkInvariants(ClusterView v, Map<ShardId, Long> epochs, Map<ShardId, String> leaders) {
        int live = v.liveStorage("c1").size();
        for (DatabaseConfig db : v.databases().values()) {
            for (int shard = 0; shard < db.shards(); shard++) {
                ShardId id = new ShardId(db.name(), "c1", shard);
                if (live > 0 || epochs.containsKey(id)) {
                    assertThat(v.states())
                            .as("every shard is placed once a node is live")
                            .containsKey(id);
                }
            }
        }
        for (ShardState s : v.states().values()) {
            DatabaseConfig db = v.databases().get(s.db());
            assertThat(db).as("no state without a config").isNotNull();
            assertThat(s.replicas()).as("replicas are distinct").doesNotHaveDuplicates();
            assertThat(s.replicas().size())
                    .as("never more replicas than configured")
                    .isLessThanOrEqualTo(db.replicas());
            long spare = v.liveStorage("c1").stream()
                    .filter(n -> !s.replicas().contains(n))
                    .count();
            if (spare > 0) {
                assertThat(s.replicas())
                        .as("as many replicas as configured while nodes are spare")
                        .hasSize(db.replicas());
            }
            assertThat(s.replicas()).containsAll(s.inSync());
            if (s.leader() != null && spare > 0) {
                assertThat(s.replicas())
                        .as("no replica left on a node away longer than the repair delay")
                        .noneMatch(n -> !v.isLive(n)
                                && v.deadSince().containsKey(n)
                                && !v.deadSince().get(n).plus(REPAIR_DELAY).isAfter(v.now()));
            }
            if (s.leader() != null) {
                assertThat(v.isLive(s.leader())).as("leader is live").isTrue();
                assertThat(s.inSync()).as("leader is in sync").contains(s.leader());
            } else {
                assertThat(s.inSync())
                        .as("leaderless only if no in-sync replica is live")
                        .noneMatch(v::isLive);
            }
            Long oldEpoch = epochs.get(s.id());
            if (oldEpoch != null) {
                assertThat(s.epoch()).as("epoch never goes down").isGreaterThanOrEqualTo(oldEpoch);
                if (!Objects.equals(leaders.get(s.id()), s.leader())) {
                    assertThat(s.epoch()).as("leader change bumps the epoch").isGreaterThan(oldEpoch);
                }
            }
            epochs.put(s.id(), s.epoch());
            leaders.put(s.id(), s.leader());
        }
        epochs.keySet().removeIf(id -> !v.states().containsKey(id));
    }
}
