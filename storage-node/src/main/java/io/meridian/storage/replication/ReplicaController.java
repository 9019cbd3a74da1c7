package io.meridian.storage.replication;

import java.util.List;

/**
 * Opens, closes and switches the roles of this node's shard replicas as the master assigns them. The node's
 * meta watcher calls {@link #reconcile} with the full desired set after every metadata change (and once at
 * start from the cached snapshot); {@link #status} feeds the node's meta report.
 *
 * <p>Threading: {@link #reconcile} calls are serialized by the caller; {@link #status} may be called from any
 * thread.
 */
public interface ReplicaController extends AutoCloseable {
    /**
     * Makes this node serve exactly {@code assignments}: opens missing replicas, closes replicas no longer
     * assigned, and moves the others to the given epoch and role (leader or follower of {@code leaderId}).
     */
    void reconcile(List<ReplicaAssignment> assignments);

    /** The replicas this node serves now. */
    List<ReplicaStatus> status();

    @Override
    void close();
}
