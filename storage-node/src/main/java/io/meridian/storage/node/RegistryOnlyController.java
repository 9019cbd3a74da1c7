package io.meridian.storage.node;

import io.meridian.storage.replication.ReplicaAssignment;
import io.meridian.storage.replication.ReplicaController;
import io.meridian.storage.replication.ReplicaStatus;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRegistry;
import io.meridian.storage.server.ShardReplica;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PLACEHOLDER until the real replication controller lands: <b>does no replication at all</b>. It only opens the
 * assigned replicas in the {@link ShardRegistry} at their epoch (so a leader accepts writes at the right epoch)
 * and closes the ones no longer assigned; followers do not fetch, leaders do not wait for anyone, and every
 * replica reports sequence 0. Enough for the node process, registration and master placement/failover to be
 * exercised end to end; not for data safety.
 *
 * <p>Replace it by pointing {@link StorageMain#CONTROLLER} at the real factory.
 *
 * <p>Threading: {@link #reconcile} is called serialized (contract of {@link ReplicaController});
 * {@link #status} reads the registry, which is safe from any thread.
 */
public final class RegistryOnlyController implements ReplicaController {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryOnlyController.class);

    private final ShardRegistry registry;

    public RegistryOnlyController(ShardRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The {@link ReplicaControllerFactory} of this placeholder. */
    public static RegistryOnlyController create(NodeContext node) {
        LOG.warn("replication is not implemented yet: replicas are opened and closed as assigned, but nothing is"
                + " replicated [node={}, controller=RegistryOnlyController]", node.nodeId());
        return new RegistryOnlyController(node.registry());
    }

    @Override
    public void reconcile(List<ReplicaAssignment> assignments) {
        Set<ShardKey> wanted = assignments.stream().map(ReplicaAssignment::key).collect(Collectors.toSet());
        RuntimeException first = null;
        for (ShardReplica open : registry.replicas()) {
            if (!wanted.contains(open.key())) {
                first = attempt(first, () -> registry.close(open.key()));
            }
        }
        for (ReplicaAssignment a : assignments) {
            // idempotent; takes over a higher epoch
            first = attempt(first, () -> registry.open(a.key(), a.options(), a.epoch()));
        }
        if (first != null) {
            throw first; // the others were still reconciled; the caller retries the failed ones
        }
    }

    private static RuntimeException attempt(RuntimeException first, Runnable step) {
        try {
            step.run();
            return first;
        } catch (RuntimeException e) {
            if (first == null) {
                return e;
            }
            first.addSuppressed(e);
            return first;
        }
    }

    @Override
    public List<ReplicaStatus> status() {
        return registry.replicas().stream().map(r -> new ReplicaStatus(r.key(), r.epoch(), 0)).toList();
    }

    /** Leaves the replicas open: the node closes the registry after the controller. */
    @Override
    public void close() {
    }
}
