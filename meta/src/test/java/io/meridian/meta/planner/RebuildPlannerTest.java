package io.meridian.meta.planner;

import static io.meridian.meta.planner.Views.db;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ReplicaReport;
import io.meridian.meta.model.ShardState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RebuildPlannerTest {
    private final ShardPlanner planner = new ShardPlanner(new PlannerOptions(Duration.ZERO));
    private final DdlPlanner ddl = new DdlPlanner(planner);

    @Test
    void wipedMetadataIsRebuiltFromReportsAndEqualsWhatItWas() {
        ClusterView v = Views.withNodes("n1", "n2", "n3");
        v = v.apply(ddl.createDatabase(v, db("cpu", 4, 2, "c1")));
        v = v.apply(ddl.createDatabase(v, db("mem", 2, 3, "c1")));
        ClusterView before = Views.settle(planner, v, 10);

        Map<String, NodeReport> reports = reportsOf(before);
        ClusterView wiped = Views.withNodes("n1", "n2", "n3")
                .apply(List.of(new MetaChange.DeleteCluster("c1")))
                .withReports(reports);

        ClusterView rebuilt = wiped.apply(new RebuildPlanner().rebuild(wiped));

        assertThat(rebuilt.clusters()).isEqualTo(before.clusters());
        assertThat(rebuilt.databases()).isEqualTo(before.databases());
        assertThat(rebuilt.states()).isEqualTo(before.states());
        assertThat(planner.reconcile(rebuilt))
                .as("a rebuilt cluster needs no repair")
                .isEmpty();
    }

    @Test
    void newestEpochWinsWhenReportsDisagree() {
        ShardState old =
                new ShardState("d", "c1", 0, List.of("a", "b"), "a", 3, Set.of("a", "b"), Map.of("a", 5L, "b", 5L));
        ShardState promoted = old.withLeader("b", 4, Set.of("b"));
        DatabaseConfig d = db("d", 1, 2, "c1");
        ClusterView v = Views.withNodes("a", "b")
                .withReports(Map.of(
                        "a", new NodeReport("a", List.of(d), List.of(new ReplicaReport(old, 5))),
                        "b", new NodeReport("b", List.of(d), List.of(new ReplicaReport(promoted, 9)))));

        ClusterView rebuilt = v.apply(new RebuildPlanner().rebuild(v));

        ShardState s = rebuilt.states().get(old.id());
        assertThat(s.leader()).isEqualTo("b");
        assertThat(s.epoch()).isEqualTo(4);
        assertThat(s.lastSeq()).containsEntry("a", 5L).containsEntry("b", 9L);
    }

    /** Each node reports the states it holds a replica of, with the sequences the states record. */
    static Map<String, NodeReport> reportsOf(ClusterView v) {
        Map<String, List<ReplicaReport>> replicas = new HashMap<>();
        for (ShardState s : v.states().values()) {
            for (String n : s.replicas()) {
                replicas.computeIfAbsent(n, k -> new ArrayList<>()).add(new ReplicaReport(s, s.seqOf(n)));
            }
        }
        Map<String, NodeReport> reports = new HashMap<>();
        replicas.forEach((n, r) ->
                reports.put(n, new NodeReport(n, List.copyOf(v.databases().values()), r)));
        return reports;
    }
}
