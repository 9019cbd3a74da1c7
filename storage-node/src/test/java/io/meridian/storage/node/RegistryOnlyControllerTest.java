package io.meridian.storage.node;

import static io.meridian.storage.node.AssignmentPlannerTest.S1;
import static io.meridian.storage.node.AssignmentPlannerTest.S2;
import static io.meridian.storage.node.AssignmentPlannerTest.db;
import static io.meridian.storage.node.AssignmentPlannerTest.snapshot;
import static io.meridian.storage.node.AssignmentPlannerTest.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.engine.ShardMaintenance;
import io.meridian.storage.replication.ReplicaAssignment;
import io.meridian.storage.replication.ReplicaStatus;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryOnlyControllerTest {
    @TempDir Path dir;

    @Test
    void opensAssignedReplicasAtTheirEpochAndClosesTheRest() {
        AssignmentPlanner planner = new AssignmentPlanner(S1, EngineSettings.defaults());
        try (ShardMaintenance maintenance = new ShardMaintenance(Duration.ofHours(1), Duration.ofHours(1));
             ShardRegistry registry = new ShardRegistry(dir, maintenance)) {
            RegistryOnlyController c = new RegistryOnlyController(registry);
            List<ReplicaAssignment> two = planner.plan(snapshot(List.of(S1, S2),
                    List.of(db("cpu", 2, WriteConcern.MAJORITY, "c1")),
                    List.of(state("cpu", "c1", 0, "s1", 1, "s1", "s2"), state("cpu", "c1", 1, "s2", 3, "s2", "s1"))))
                    .assignments();
            c.reconcile(two);
            assertThat(c.status()).containsExactly(new ReplicaStatus(new ShardKey("cpu", 0), 1, 0),
                    new ReplicaStatus(new ShardKey("cpu", 1), 3, 0));

            List<ReplicaAssignment> moved = planner.plan(snapshot(List.of(S1, S2),
                    List.of(db("cpu", 2, WriteConcern.MAJORITY, "c1")),
                    List.of(state("cpu", "c1", 0, "s2", 2, "s1", "s2")))).assignments();
            c.reconcile(moved);
            assertThat(c.status()).containsExactly(new ReplicaStatus(new ShardKey("cpu", 0), 2, 0));
            assertThat(registry.directory(new ShardKey("cpu", 1))).exists(); // closed, data kept
            c.close();
            assertThat(registry.replicas()).hasSize(1); // the node closes the registry, not the controller
        }
    }
}
