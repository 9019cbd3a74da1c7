package io.meridian.storage.node;

import static io.meridian.storage.node.AssignmentPlannerTest.db;
import static io.meridian.storage.node.AssignmentPlannerTest.snapshot;
import static io.meridian.storage.node.AssignmentPlannerTest.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ReplicaReport;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.replication.ReplicaStatus;
import io.meridian.storage.server.ShardKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportAssemblerTest {
    @Test
    void reportsEachServedReplicaWithItsStateEpochAndSequence() {
        MetaSnapshot s = snapshot(
                List.of(),
                List.of(db("cpu", 2, WriteConcern.MAJORITY, "c1"), db("mem", 1, WriteConcern.MAJORITY, "c1")),
                List.of(
                        state("cpu", "c1", 0, "s1", 3, "s1", "s2"),
                        state("cpu", "c1", 1, "s2", 5, "s2", "s1"),
                        state("mem", "c1", 0, "s2", 1, "s2", "s3")));
        NodeReport r = ReportAssembler.build(
                "s1",
                "c1",
                s,
                List.of(
                        new ReplicaStatus(new ShardKey("cpu", 1), 4, 17), // not yet at epoch 5
                        new ReplicaStatus(new ShardKey("cpu", 0), 3, 42, "disk past its free-space watermark")));

        assertThat(r.nodeId()).isEqualTo("s1");
        assertThat(r.databases()).extracting(c -> c.name()).containsExactly("cpu");
        assertThat(r.replicas()).extracting(rr -> rr.knownState().shard()).containsExactly(0, 1);
        ReplicaReport leading = r.replicas().get(0);
        assertThat(leading.knownState()).isEqualTo(s.states().get("cpu/c1/0"));
        assertThat(leading.lastSeq()).isEqualTo(42);
        assertThat(leading.problem())
                .as("the master moves leadership away from it")
                .contains("watermark");
        ReplicaReport behind = r.replicas().get(1);
        assertThat(behind.knownState().epoch())
                .as("the epoch the replica serves, not the newest")
                .isEqualTo(4);
        assertThat(behind.knownState().replicas()).containsExactly("s2", "s1");
        assertThat(behind.lastSeq()).isEqualTo(17);
        assertThat(behind.problem()).isNull();
    }

    @Test
    void replicasWithoutAKnownStateAreLeftOut() {
        NodeReport r = ReportAssembler.build(
                "s1", "c1", MetaSnapshot.empty(), List.of(new ReplicaStatus(new ShardKey("cpu", 0), 1, 0)));
        assertThat(r).isEqualTo(NodeReport.empty("s1"));
    }
}
