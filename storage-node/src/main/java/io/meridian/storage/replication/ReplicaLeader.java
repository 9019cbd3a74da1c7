package io.meridian.storage.replication;

import io.meridian.common.error.BusyException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.NotLeaderException;
import io.meridian.common.error.NotReplicatedException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.storage.v1.FetchRequest;
import io.meridian.common.rpc.storage.v1.FetchResponse;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.replication.log.LogOp;
import io.meridian.storage.replication.log.LogTrimmedException;
import io.meridian.storage.replication.log.ReplicaLogReader;
import io.meridian.storage.server.ShardKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader side of one shard replica (ARCHITECTURE §5): serves followers' fetches from the WAL, learns from
 * each fetch how far that follower has persisted, computes the commit point of the write concern, and holds a
 * write's acknowledgement until its op is committed.
 *
 * <p>Commit point: LEADER = the leader's last op; MAJORITY = the op that a majority of the replicas (leader
 * included) hold; ALL = the lowest op held by the leader and by every follower in the leader's in-sync view
 * (followers that fetched within {@code lag-max}; a stopped follower drops out of it and stops blocking).
 *
 * <p>Threading: fetches and writes run on server threads; all state is guarded by {@code lock}.
 */
final class ReplicaLeader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLeader.class);

    /** What the leader knows of one follower. */
    private static final class Progress {
        long persisted;
        long lastFetchNanos;
        ReplicaLogReader.Cursor cursor;
        boolean inSync;
    }

    private final ShardKey key;
    private final String selfId;
    private final ReplicationOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Progress> followers = new HashMap<>();
    private volatile Shard shard;
    private volatile ReplicaAssignment assignment;
    private long commitLsn;
    private boolean closed;
    /** False while a new leader reads the ops it lacks from its peers: no writes, no fetches. */
    private volatile boolean ready;

    ReplicaLeader(ShardKey key, String selfId, Shard shard, ReplicaAssignment assignment, ReplicationOptions options) {
        this.key = key;
        this.selfId = selfId;
        this.shard = shard;
        this.options = options;
        update(assignment);
        // everything this replica held when it became leader was committed by its predecessor or is now ours
        this.commitLsn = assignment.writeConcern() == WriteConcern.LEADER
                        || followerIds().isEmpty()
                ? shard.lastLsn()
                : 0;
    }

    long epoch() {
        return assignment.epoch();
    }

    void update(ReplicaAssignment a) {
        lock.lock();
        try {
            this.assignment = a;
            followers.keySet().retainAll(a.replicas());
            for (String id : followerIds()) {
                followers.computeIfAbsent(id, k -> new Progress());
            }
            recompute();
        } finally {
            lock.unlock();
        }
    }

    private List<String> followerIds() {
        List<String> ids = new ArrayList<>(assignment.replicas());
        ids.remove(selfId);
        return ids;
    }

    /** The lowest LSN a follower still needs (WAL segments holding it outlive flushes). */
    long neededLsn() {
        lock.lock();
        try {
            long min = Long.MAX_VALUE;
            for (Progress p : followers.values()) {
                min = Math.min(min, p.persisted + 1);
            }
            return min;
        } finally {
            lock.unlock();
        }
    }

    long commitLsn() {
        lock.lock();
        try {
            return commitLsn;
        } finally {
            lock.unlock();
        }
    }

    /** The catch-up is over: writes and fetches are served from now on. */
    void ready() {
        ready = true;
        appended();
    }

    private void checkReady() {
        if (!ready) {
            throw new ShardUnavailableException(
                    "new leader is catching up from its peers " + key.context() + "; retry shortly", null);
        }
    }

    /** Back-pressure before a write: too many ops beyond the commit point is a retriable BUSY. */
    void checkLag() {
        checkReady();
        long uncommitted = shard.lastLsn() - commitLsn();
        if (uncommitted > options.maxUncommittedOps()) {
            throw new BusyException("replication is behind " + key.context() + ": " + uncommitted
                    + " ops not yet acknowledged by the write concern " + assignment.writeConcern()
                    + " (limit storage.replication.max-uncommitted-ops=" + options.maxUncommittedOps() + ")");
        }
    }

    /** Wakes fetches waiting for new ops and recomputes the commit point (a LEADER concern commits at once). */
    void appended() {
        lock.lock();
        try {
            recompute();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns once op {@code lsn} is committed by the write concern.
     *
     * @throws NotReplicatedException after the ack timeout (the op stays; a retry is de-duplicated)
     * @throws NotLeaderException     when this replica stopped leading meanwhile
     */
    void awaitCommitted(long lsn) {
        if (BoundedWait.until(
                        lock,
                        changed,
                        () -> commitLsn >= lsn || closed,
                        options.ackTimeout().toNanos())
                && commitLsn() >= lsn) {
            return;
        }
        lock.lock();
        try {
            if (closed) {
                throw new NotLeaderException("no longer the leader " + key.context() + ": the write was not "
                        + "acknowledged by the write concern; refresh routing and retry");
            }
            throw new NotReplicatedException("write not acknowledged in time " + key.context() + ": want "
                    + assignment.writeConcern() + " of " + assignment.replicas() + ", in-sync view " + inSyncView()
                    + ", waited " + options.ackTimeout().toMillis()
                    + " ms (retry; the op is de-duplicated by writer id "
                    + "and sequence)");
        } finally {
            lock.unlock();
        }
    }

    /** The flush gate: waits (bounded by the ack timeout) until {@code lsn} is committed. */
    void awaitCommittedForFlush(long lsn) {
        if (!BoundedWait.until(
                lock,
                changed,
                () -> commitLsn >= lsn || closed,
                options.ackTimeout().toNanos())) {
            LOG.warn(
                    "flushing ops not yet committed by the write concern [database={}, shard={}, lsn={}, commitLsn={}]: "
                            + "a later truncation of them would need a full re-sync",
                    key.database(),
                    key.shard(),
                    lsn,
                    commitLsn());
        }
    }

    /** Serves a follower's fetch: records its progress, then answers with ops, or a truncation point. */
    FetchResponse fetch(FetchRequest request) {
        String follower = request.getFollowerId();
        long from = request.getFromLsn();
        if (from < 1) {
            throw new InvalidInputException("invalid fetch position [field=from_lsn, follower=" + follower + "] "
                    + key.context() + ": want >= 1");
        }
        if (request.getShard().getEpoch() != epoch()) {
            throw new NotLeaderException("fetch at another epoch " + key.context() + ": follower " + follower
                    + " is at epoch " + request.getShard().getEpoch() + ", this leader at " + epoch());
        }
        checkReady();
        Shard s = shard;
        long held = from - 1;
        if (held > 0) {
            long end = s.endOfEpoch(request.getLastEpoch());
            if (held > end) {
                LOG.info(
                        "follower log diverged; asking it to truncate [database={}, shard={}, follower={}, has={}@{}, "
                                + "truncateTo={}]",
                        key.database(),
                        key.shard(),
                        follower,
                        held,
                        request.getLastEpoch(),
                        end);
                return FetchResponse.newBuilder()
                        .setTruncate(true)
                        .setTruncateTo(end)
                        .setLeaderLsn(s.lastLsn())
                        .setCommitLsn(commitLsn())
                        .build();
            }
        }
        ReplicaLogReader.Cursor cursor = recordProgress(follower, held);
        if (s.lastLsn() < from && request.getMaxWaitMs() > 0) {
            waitForOps(s, from, Math.min(request.getMaxWaitMs(), 10_000));
        }
        long maxBytes = request.getMaxBytes() == 0 ? options.fetchMaxBytes() : request.getMaxBytes();
        ReplicaLogReader.Batch batch;
        try {
            batch = s.readLog(from, maxBytes, cursor);
        } catch (LogTrimmedException e) {
            LOG.warn(
                    "follower is behind the WAL this leader keeps; it needs a full re-sync [database={}, shard={}, "
                            + "follower={}, from={}]",
                    key.database(),
                    key.shard(),
                    follower,
                    from);
            return FetchResponse.newBuilder()
                    .setResync(true)
                    .setLeaderLsn(s.lastLsn())
                    .setCommitLsn(commitLsn())
                    .build();
        }
        FetchResponse.Builder b =
                FetchResponse.newBuilder().setLeaderLsn(s.lastLsn()).setCommitLsn(commitLsn());
        for (LogOp op : batch.ops()) {
            if (op.batch() != null
                    && op.batch().hasPartials()
                    && request.getProtocolRevision() < StorageRpc.PARTIAL_WRITES_REVISION) {
                // an older follower would skip the unknown field and apply an empty op: it lags visibly instead
                throw new InvalidInputException(
                        ErrorCode.FORMAT_VERSION,
                        "follower too old for partial aggregates [database=" + key.database() + ", shard="
                                + key.shard() + ", follower=" + follower + ", lsn=" + op.lsn() + ", revision="
                                + request.getProtocolRevision() + "]: want storage protocol revision >= "
                                + StorageRpc.PARTIAL_WRITES_REVISION + "; "
                                + "upgrade the storage nodes");
            }
            b.addOps(LogOpCodec.encode(op));
        }
        lock.lock();
        try {
            Progress p = followers.get(follower);
            if (p != null) {
                p.cursor = batch.next();
            }
        } finally {
            lock.unlock();
        }
        return b.build();
    }

    private ReplicaLogReader.Cursor recordProgress(String follower, long persisted) {
        lock.lock();
        try {
            Progress p = followers.get(follower);
            if (p == null) {
                throw new NotLeaderException("fetch from a node that is not a replica " + key.context() + ": "
                        + follower + " not in " + assignment.replicas() + " (metadata not yet propagated?)");
            }
            p.persisted = Math.max(p.persisted, Math.min(persisted, shard.lastLsn()));
            p.lastFetchNanos = System.nanoTime();
            recompute();
            changed.signalAll();
            return p.cursor;
        } finally {
            lock.unlock();
        }
    }

    private void waitForOps(Shard s, long from, long waitMs) {
        BoundedWait.until(lock, changed, () -> s.lastLsn() >= from || closed, BoundedWait.millis(waitMs));
    }

    /** Caller holds the lock. */
    private void recompute() {
        long own = shard.lastLsn();
        long lagNanos = options.lagMax().toNanos();
        long now = System.nanoTime();
        List<Long> held = new ArrayList<>();
        held.add(own);
        long minInSync = own;
        for (Map.Entry<String, Progress> e : followers.entrySet()) {
            Progress p = e.getValue();
            held.add(p.persisted);
            boolean inSync = p.lastFetchNanos != 0 && now - p.lastFetchNanos <= lagNanos;
            if (inSync != p.inSync) {
                LOG.info(
                        "follower {} the leader's in-sync view [database={}, shard={}, follower={}, persisted={}]",
                        inSync ? "joined" : "left",
                        key.database(),
                        key.shard(),
                        e.getKey(),
                        p.persisted);
                p.inSync = inSync;
            }
            if (inSync) {
                minInSync = Math.min(minInSync, p.persisted);
            }
        }
        long next = switch (assignment.writeConcern()) {
            case LEADER -> own;
            case ALL -> minInSync;
            case MAJORITY -> {
                held.sort(Comparator.reverseOrder());
                int quorum = assignment.replicas().size() / 2 + 1;
                yield quorum <= held.size() ? held.get(quorum - 1) : 0;
            }
        };
        if (next > commitLsn) {
            commitLsn = next;
        }
    }

    long uncommittedOps() {
        return Math.max(0, shard.lastLsn() - commitLsn());
    }

    int inSyncCount() {
        lock.lock();
        try {
            return inSyncView().size();
        } finally {
            lock.unlock();
        }
    }

    /** Ops follower {@code id} has not persisted yet (0 when it is not a follower of this shard). */
    long lagOf(String id) {
        lock.lock();
        try {
            Progress p = followers.get(id);
            return p == null ? 0 : Math.max(0, shard.lastLsn() - p.persisted);
        } finally {
            lock.unlock();
        }
    }

    private List<String> inSyncView() {
        List<String> ids = new ArrayList<>();
        ids.add(selfId);
        followers.forEach((id, p) -> {
            if (p.inSync) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** Re-evaluates the in-sync view (a follower that stopped fetching leaves it even when nothing else happens). */
    void tick() {
        appended();
        if (ready) {
            try {
                shard.expireStagedTransactions(); // as ops, so that followers drop them too
            } catch (ShardUnavailableException stoppedOrClosed) {
                // the controller reopens a stopped shard; a closed one is being replaced
            }
        }
    }

    void replaceShard(Shard reopened) {
        this.shard = reopened;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
