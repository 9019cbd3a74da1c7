package io.meridian.storage.memtable;

/**
 * What a replicated shard's flush waits for before it makes frozen ops permanent in parts: that the write
 * concern committed them, so that an op the leader may still truncate (never acknowledged, e.g. on a stale
 * leader) stays in the WAL, where truncation can drop it. Implementations bound the wait.
 */
@FunctionalInterface
public interface FlushGate {
    /** No replication: flush at once. */
    FlushGate OPEN = lsn -> {};

    /** Returns once ops up to {@code lsn} are committed, or when the implementation's bound runs out. */
    void awaitCommitted(long lsn);
}
