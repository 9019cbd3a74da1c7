package io.meridian.meta.store;

import java.util.List;

/**
 * Receives a prefix watch's output. Calls are serialized (never concurrent) for one watch.
 * A listener must not block for long: it runs on the watch's delivery thread.
 */
public interface WatchListener {
    /**
     * The full content under the prefix at {@code range.revision()}: replace whatever you hold. Called
     * first, and again after compaction or when etcd was wiped.
     */
    void onReset(MetaRange range);

    /** Changes after the last reset or batch, in revision order, each revision delivered exactly once. */
    void onEvents(List<MetaEvent> events);

    /**
     * The watch's delivered revision ({@link PrefixWatch#deliveredRevision()}) advanced to {@code revision}: after
     * a reset or a batch returned, and after a resume from a revision the caller already holds (which calls
     * nothing else). For waiters on that revision; does nothing by default.
     */
    default void onDelivered(long revision) {}
}
