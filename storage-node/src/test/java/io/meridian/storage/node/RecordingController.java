package io.meridian.storage.node;

import io.meridian.storage.replication.ReplicaAssignment;
import io.meridian.storage.replication.ReplicaController;
import io.meridian.storage.replication.ReplicaStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link ReplicaController} that records what it is asked to do; can be told to fail the next calls. */
final class RecordingController implements ReplicaController {
    final List<List<ReplicaAssignment>> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile boolean closed;

    @Override
    public void reconcile(List<ReplicaAssignment> assignments) {
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("injected reconcile failure");
        }
        calls.add(assignments);
    }

    @Override
    public List<ReplicaStatus> status() {
        return calls.isEmpty()
                ? List.of()
                : calls.get(calls.size() - 1).stream()
                        .map(a -> new ReplicaStatus(a.key(), a.epoch(), 0))
                        .toList();
    }

    @Override
    public void close() {
        closed = true;
    }
}
