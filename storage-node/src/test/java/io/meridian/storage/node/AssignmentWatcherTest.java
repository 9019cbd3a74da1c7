package io.meridian.storage.node;

import static io.meridian.storage.node.AssignmentPlannerTest.S1;
import static io.meridian.storage.node.AssignmentPlannerTest.S2;
import static io.meridian.storage.node.AssignmentPlannerTest.db;
import static io.meridian.storage.node.AssignmentPlannerTest.snapshot;
import static io.meridian.storage.node.AssignmentPlannerTest.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.replication.ReplicaAssignment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AssignmentWatcherTest {
    final RecordingController controller = new RecordingController();
    final AtomicInteger reconciled = new AtomicInteger();

    AssignmentWatcher watcher() {
        return new AssignmentWatcher(
                "s1",
                new AssignmentPlanner(S1, EngineSettings.defaults()),
                controller,
                reconciled::incrementAndGet,
                Duration.ofMillis(20),
                () -> true);
    }

    static MetaSnapshot withLeader(String leader, long epoch) {
        return snapshot(
                List.of(S1, S2),
                List.of(db("cpu", 1, WriteConcern.MAJORITY, "c1")),
                List.of(state("cpu", "c1", 0, leader, epoch, "s1", "s2")));
    }

    @Test
    void handsOverChangedAssignmentsOnlyAndReportsAfterEach() {
        try (AssignmentWatcher w = watcher()) {
            w.accept(withLeader("s1", 1));
            await().atMost(Duration.ofSeconds(5)).until(() -> w.rounds() == 1);
            w.accept(withLeader("s1", 1)); // another revision, same assignments (e.g. a report changed)
            w.accept(withLeader("s2", 2));
            await().atMost(Duration.ofSeconds(5)).until(() -> w.rounds() == 2);
        }
        assertThat(controller.calls).hasSize(2);
        assertThat(controller.calls.get(0))
                .singleElement()
                .satisfies(a -> assertThat(a.isLedBy("s1")).isTrue());
        ReplicaAssignment last = controller.calls.get(1).get(0);
        assertThat(last.leaderId()).isEqualTo("s2");
        assertThat(last.epoch()).isEqualTo(2);
        assertThat(reconciled.get()).isEqualTo(2);
    }

    @Test
    void failedReconcileIsRetried() {
        controller.failuresLeft.set(2);
        try (AssignmentWatcher w = watcher()) {
            w.accept(withLeader("s1", 1));
            await().atMost(Duration.ofSeconds(5)).until(() -> w.rounds() == 1);
        }
        assertThat(controller.calls).hasSize(1);
        assertThat(controller.failuresLeft.get()).isZero();
    }

    @Test
    void droppedShardsAreHandedOverAsAnEmptySet() {
        try (AssignmentWatcher w = watcher()) {
            w.accept(withLeader("s1", 1));
            await().atMost(Duration.ofSeconds(5)).until(() -> w.rounds() == 1);
            w.accept(MetaSnapshot.empty());
            await().atMost(Duration.ofSeconds(5)).until(() -> w.rounds() == 2);
        }
        assertThat(controller.calls.get(1)).isEmpty();
    }
}
