package io.meridian.meta.cache;

import io.meridian.common.error.MeridianException;
import io.meridian.meta.model.ClusterMarker;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.store.MetaEvent;
import io.meridian.meta.store.MetaRange;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.PrefixWatch;
import io.meridian.meta.store.WatchListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's local copy of the metadata, fed by one prefix watch on the root and persisted to disk.
 *
 * <p>Threading: {@link #snapshot()} and {@link #routing()} are volatile reads and never block, whatever etcd
 * does. Updates happen on the watch's delivery thread; listeners are called there, after publication.
 *
 * <p>Wipe handling: if the watch resets to a range without the cluster marker while the cache holds a snapshot
 * that had one, etcd lost its data. The cache keeps serving the old snapshot ({@link #isHoldingForRebuild()})
 * until the master has rebuilt the metadata and written a marker again.
 */
public final class MetaCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetaCache.class);

    private final MetaStore store;
    private final Optional<SnapshotFile> file;
    private final String homeIdc;
    private final List<Consumer<MetaSnapshot>> listeners = new CopyOnWriteArrayList<>();
    /** Signalled at every publication and every advance of {@link #watchedRevision()}, for {@link #await}. */
    private final ReentrantLock published = new ReentrantLock();

    private final Condition publication = published.newCondition();
    private volatile MetaSnapshot current = MetaSnapshot.empty();
    private volatile RoutingTable routing;
    private volatile boolean holding;
    private volatile PrefixWatch watch;
    private final Object persistLock = new Object();
    private boolean closed;

    // delivery-thread state
    private SnapshotDecoder decoder;

    /**
     * @param store the etcd client
     * @param snapshotDir where to keep the on-disk snapshot, or null for none
     * @param homeIdc the IDC whose cluster {@link RoutingTable#leader} answers for
     */
    public MetaCache(MetaStore store, Path snapshotDir, String homeIdc) {
        this.store = Objects.requireNonNull(store, "store");
        this.file = Optional.ofNullable(snapshotDir).map(SnapshotFile::new);
        this.homeIdc = Objects.requireNonNull(homeIdc, "homeIdc");
        this.routing = RoutingTable.of(current, homeIdc);
    }

    /**
     * Loads the on-disk snapshot (if any) so reads work at once, then follows etcd. If etcd is reachable and
     * still holds the same metadata incarnation (same cluster marker), the watch resumes from the snapshot's
     * revision and delivers only what changed since; otherwise it starts with a full read.
     */
    public MetaCache start() {
        Optional<MetaSnapshot> disk = readDisk();
        disk.ifPresent(s -> {
            publish(s, false);
            LOG.info(
                    "meta cache loaded from disk [file={}, revision={}, databases={}, shards={}]",
                    file.get().path(),
                    s.revision(),
                    s.databases().size(),
                    s.states().size());
        });
        if (disk.isPresent() && sameIncarnation(disk.get())) {
            decoder = SnapshotDecoder.from(store.keys(), disk.get());
            watch = store.watchPrefix(store.keys().all(), disk.get().revision() + 1, new Feed());
        } else {
            watch = store.watchPrefix(store.keys().all(), new Feed());
        }
        return this;
    }

    /** The on-disk snapshot; a damaged one is only a lost optimization (etcd is the source of truth). */
    private Optional<MetaSnapshot> readDisk() {
        try {
            return file.flatMap(SnapshotFile::read);
        } catch (MeridianException e) {
            LOG.warn(
                    "ignoring unreadable meta snapshot, starting from etcd [file={}]: {}",
                    file.get().path(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    private boolean sameIncarnation(MetaSnapshot s) {
        if (s.marker() == null || s.revision() <= 0) {
            return false;
        }
        try {
            return store.get(store.keys().clusterMarker())
                    .map(e -> ModelCodec.decode(e.value(), ClusterMarker.class, e.key()))
                    .filter(s.marker()::equals)
                    .isPresent();
        } catch (MeridianException e) {
            LOG.info(
                    "cannot compare the on-disk snapshot with etcd, starting with a full read [revision={}]: {}",
                    s.revision(),
                    e.getMessage());
            return false;
        }
    }

    public void addListener(Consumer<MetaSnapshot> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The latest snapshot. Never blocks. */
    public MetaSnapshot snapshot() {
        return current;
    }

    /**
     * Waits until the latest snapshot satisfies {@code condition}: returns it, or empty once {@code timeout} passed
     * (or the waiting thread was interrupted, whose flag stays set). Woken by each publication and each advance of
     * {@link #watchedRevision()} (so a condition may also read that); no polling.
     */
    public Optional<MetaSnapshot> await(Predicate<MetaSnapshot> condition, Duration timeout) {
        long left = timeout.toNanos();
        published.lock();
        try {
            while (true) {
                MetaSnapshot s = current;
                if (condition.test(s)) {
                    return Optional.of(s);
                }
                if (left <= 0) {
                    return Optional.empty();
                }
                left = publication.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            published.unlock();
        }
    }

    /** The routing table of the latest snapshot. Never blocks. */
    public RoutingTable routing() {
        return routing;
    }

    /** True while etcd came back empty and the cache serves its last snapshot until the master rebuilt it. */
    public boolean isHoldingForRebuild() {
        return holding;
    }

    /** The last etcd revision delivered by the watch (0 before the first). */
    public long watchedRevision() {
        return watch == null ? 0 : watch.deliveredRevision();
    }

    /**
     * How many full resets the watch delivered: 1 after a normal start, 0 after a resume from disk; more after
     * compaction or a wipe.
     */
    public long watchResets() {
        return watch == null ? 0 : watch.resets();
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        // a delivery still running on the watch thread finishes its snapshot write first; none starts after
        synchronized (persistLock) {
            closed = true;
        }
    }

    private void publish(MetaSnapshot s, boolean persist) {
        current = s;
        routing = RoutingTable.of(s, homeIdc);
        wakeWaiters();
        if (persist && file.isPresent()) {
            synchronized (persistLock) {
                if (closed) {
                    return;
                }
                try {
                    file.get().write(s);
                } catch (MeridianException e) {
                    LOG.warn(
                            "cannot persist meta snapshot, keeping it in memory [revision={}]: {}",
                            s.revision(),
                            e.getMessage());
                }
            }
        }
        for (Consumer<MetaSnapshot> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                LOG.warn("meta cache listener failed [listener={}, revision={}]", l, s.revision(), e);
            }
        }
    }

    private void wakeWaiters() {
        published.lock();
        try {
            publication.signalAll();
        } finally {
            published.unlock();
        }
    }

    private void maybePublish() {
        boolean wiped = !decoder.hasMarker() && current.marker() != null;
        if (wiped) {
            if (!holding) {
                LOG.warn(
                        "etcd has no cluster marker any more (wiped?): serving the last snapshot until the master"
                                + " rebuilds [revision={}, databases={}, shards={}]",
                        current.revision(),
                        current.databases().size(),
                        current.states().size());
            }
            holding = true;
            return;
        }
        if (holding) {
            LOG.info(
                    "metadata rebuilt in etcd, following it again [marker={}]",
                    decoder.snapshot().marker());
        }
        holding = false;
        publish(decoder.snapshot(), true);
    }

    /** Runs on the watch's delivery thread. */
    private final class Feed implements WatchListener {
        @Override
        public void onReset(MetaRange range) {
            decoder = new SnapshotDecoder(store.keys());
            decoder.load(range.entries(), range.revision());
            maybePublish();
        }

        @Override
        public void onEvents(List<MetaEvent> events) {
            ClusterMarker before = decoder.marker();
            events.forEach(decoder::apply);
            ClusterMarker after = decoder.marker();
            PrefixWatch w = watch;
            if (before != null && after != null && !before.equals(after) && w != null) {
                // another incarnation of the metadata (etcd wiped and rebuilt while its revision overtook ours):
                // the events we got are a tail of a different history, so read everything again
                LOG.warn(
                        "cluster marker changed under the watch, re-reading all metadata [was={}, now={}]",
                        before.clusterId(),
                        after.clusterId());
                w.requestResync();
                return;
            }
            maybePublish();
        }

        @Override
        public void onDelivered(long revision) {
            wakeWaiters(); // watchedRevision() advanced, possibly without a publication (a resume, a held wipe)
        }
    }
}
