package io.meridian.storage.node;

import io.meridian.common.error.BackgroundTasks;
import io.meridian.meta.registry.NodeRegistrar;
import io.meridian.storage.replication.ReplicaController;
import io.meridian.storage.replication.ReplicaStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the node's report when its replicas' status changed: every {@code interval} it compares
 * {@link ReplicaController#status()} with what it last saw and, on a difference, asks the registrar to publish.
 * Every report write wakes the master, so this is bounded to one per interval however fast sequences move.
 *
 * <p>Threading: one private daemon thread.
 */
final class ReportPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReportPublisher.class);

    private final ReplicaController controller;
    private final NodeRegistrar registrar;
    private final ScheduledExecutorService executor;
    private List<ReplicaStatus> last = List.of();

    ReportPublisher(String nodeId, ReplicaController controller, NodeRegistrar registrar, Duration interval) {
        this.controller = Objects.requireNonNull(controller, "controller");
        this.registrar = Objects.requireNonNull(registrar, "registrar");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "report-publisher-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(
                BackgroundTasks.guarded("node-report", this::check),
                interval.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void check() {
        try {
            List<ReplicaStatus> now = controller.status();
            if (!now.equals(last)) {
                last = now;
                registrar.reportChanged();
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot read replica status for the node report; retrying next interval", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
