package io.meridian.storage.replication;

import io.grpc.ManagedChannel;
import io.grpc.stub.ServerCallStreamObserver;
import io.meridian.common.error.BackgroundTasks;
import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.NotLeaderException;
import io.meridian.common.error.NotReplicatedException;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.rpc.StorageChannels;
import io.meridian.common.rpc.storage.v1.FetchRequest;
import io.meridian.common.rpc.storage.v1.FetchResponse;
import io.meridian.common.rpc.storage.v1.SnapshotChunk;
import io.meridian.common.rpc.storage.v1.SnapshotRequest;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.memtable.FlushGate;
import io.meridian.storage.replication.log.ReplicaLogTruncator;
import io.meridian.storage.server.ReplicationHooks;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRefCodec;
import io.meridian.storage.server.ShardRegistry;
import io.meridian.storage.server.ShardReplica;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication layer of a storage node: turns the master's assignments into open replicas in leader or
 * follower role ({@link ReplicaLeader}, {@link ReplicaFollower}), and is the {@link ReplicationHooks} through
 * which the RPC service makes writes wait for their write concern and serves followers' fetches.
 *
 * <p>A role change is a clean switch: the old role object is closed (a closing leader fails its waiting writes
 * with NOT_LEADER, which the writer retries at the new leader and storage de-duplicates), then the new one
 * starts on the same open shard. A follower whose leader reports a diverged log truncates its uncommitted tail
 * by closing, cutting and reopening the shard.
 *
 * <p>Threading: {@link #reconcile} and truncations are serialized on this object; hooks are called from RPC
 * threads and only read the role maps.
 */
public final class ReplicationController implements ReplicaController, ReplicationHooks {
    /** How often replicas whose shard stopped after a storage failure are reopened. */
    static final long STOPPED_REOPEN_SECONDS = 5;
    /** A replica's own quarantine folder (parts recovery could not explain); see ShardFiles. */
    private static final String QUARANTINE_DIR = "quarantine";
    /** Replicas whose shard stopped after a storage failure and could not be reopened yet, with their role. */
    private final Map<ShardKey, ReplicaAssignment> stopped = new HashMap<>();
    /** Replicas assigned here as leader (or alone) whose files are damaged: epoch of the assignment. */
    private final Map<ShardKey, Long> damaged = new HashMap<>();

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationController.class);

    private final String selfId;
    private final ShardRegistry registry;
    private final ReplicationOptions options;
    private final Map<ShardKey, ReplicaLeader> leaders = new ConcurrentHashMap<>();
    private final Map<ShardKey, ReplicaFollower> followers = new ConcurrentHashMap<>();
    private final Map<ShardKey, ReplicaAssignment> assigned = new ConcurrentHashMap<>();
    private final Map<String, ManagedChannel> channels = new HashMap<>();
    private final ScheduledExecutorService ticker;
    private final ExecutorService catchUps = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "meridian-leader-catch-up");
        t.setDaemon(true);
        return t;
    });

    private final ReplicationMetrics metrics;

    public ReplicationController(String selfId, ShardRegistry registry, ReplicationOptions options) {
        this(selfId, registry, options, registry.meters());
    }

    public ReplicationController(
            String selfId, ShardRegistry registry, ReplicationOptions options, MeterRegistry meters) {
        this.metrics = new ReplicationMetrics(meters);
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.options = Objects.requireNonNull(options, "options");
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-replication-tick");
            t.setDaemon(true);
            return t;
        });
        // followers that stop fetching must leave the in-sync view even when no write comes
        ticker.scheduleWithFixedDelay(
                BackgroundTasks.guarded(
                        "replication-tick", () -> leaders.values().forEach(ReplicaLeader::tick)),
                1,
                1,
                TimeUnit.SECONDS);
        ticker.scheduleWithFixedDelay(
                BackgroundTasks.guarded("stopped-shard-reopen", this::reopenStopped),
                STOPPED_REOPEN_SECONDS,
                STOPPED_REOPEN_SECONDS,
                TimeUnit.SECONDS);
    }

    /**
     * Reopens, from its files, every served replica whose shard stopped after a storage failure (a full disk, an
     * I/O error): the open recovers exactly what was acknowledged, and the replica takes its assigned role again. A
     * reopened leader first catches up from its peers, which may hold ops it had shipped but cut back. While the disk
     * still fails, the open fails and is tried again next round.
     */
    synchronized void reopenStopped() {
        for (ShardReplica r : registry.replicas()) {
            if (r.shard().failure() != null) {
                ShardKey key = r.key();
                ReplicaAssignment a = assigned.remove(key);
                stopRole(key);
                registry.close(key);
                if (a != null) {
                    stopped.put(key, a);
                }
            }
        }
        for (Map.Entry<ShardKey, ReplicaAssignment> e : List.copyOf(stopped.entrySet())) {
            ShardKey key = e.getKey();
            assigned.remove(key); // so that a reopened leader catches up from its peers first
            try {
                apply(e.getValue()); // an open that succeeds takes the replica out of stopped
                LOG.warn(
                        "reopened a shard that had stopped after a storage failure [database={}, shard={}, lsn={}]",
                        key.database(),
                        key.shard(),
                        registry.replica(key).shard().lastLsn());
            } catch (RuntimeException failed) {
                assigned.remove(key);
                LOG.error(
                        "cannot reopen a stopped shard yet; retrying in {} s [database={}, shard={}]: {}",
                        STOPPED_REOPEN_SECONDS,
                        key.database(),
                        key.shard(),
                        failed.toString());
            }
        }
    }

    @Override
    public synchronized void reconcile(List<ReplicaAssignment> assignments) {
        Set<ShardKey> wanted = new HashSet<>();
        for (ReplicaAssignment a : assignments) {
            wanted.add(a.key());
            stopped.computeIfPresent(a.key(), (k, old) -> a); // a stopped replica reopens in its newest role
            try {
                apply(a);
            } catch (RuntimeException e) {
                LOG.error(
                        "cannot take the assigned role [database={}, shard={}, epoch={}, leader={}]",
                        a.key().database(),
                        a.key().shard(),
                        a.epoch(),
                        a.leaderId(),
                        e);
            }
        }
        stopped.keySet().retainAll(wanted);
        damaged.keySet().retainAll(wanted);
        for (ShardReplica r : registry.replicas()) {
            if (!wanted.contains(r.key())) {
                stopRole(r.key());
                assigned.remove(r.key());
                registry.close(r.key());
            }
        }
    }

    private void apply(ReplicaAssignment a) {
        ShardKey key = a.key();
        ReplicaAssignment before = assigned.get(key);
        if (before != null && before.epoch() > a.epoch()) {
            LOG.warn(
                    "ignoring an assignment older than the one served [database={}, shard={}, epoch={}, serving={}]",
                    key.database(),
                    key.shard(),
                    a.epoch(),
                    before.epoch());
            return;
        }
        boolean lead = a.isLedBy(selfId);
        assigned.put(key, a);
        ReplicaLeader leader = leaders.get(key);
        ReplicaFollower follower = followers.get(key);
        if (lead && leader != null && leader.epoch() == a.epoch()) {
            leader.update(a);
            List<String> followerIds = new ArrayList<>(a.replicas());
            followerIds.remove(selfId);
            metrics.bind(key, leader, followerIds);
            return;
        }
        if (!lead
                && follower != null
                && follower.assignment().epoch() == a.epoch()
                && Objects.equals(follower.assignment().leaderAddress(), a.leaderAddress())) {
            return;
        }
        stopRole(key);
        if (registry.claim(key.database(), a.generation(), a.options().files())) {
            // the replicas of the earlier incarnation are gone: forget their roles and state
            for (ShardKey k : List.copyOf(assigned.keySet())) {
                if (k.database().equals(key.database()) && !k.equals(key)) {
                    stopRole(k);
                    assigned.remove(k);
                }
            }
        }
        ShardReplica replica;
        try {
            replica = registry.open(key, a.options(), a.epoch(), lead);
            damaged.remove(key);
            stopped.remove(key);
        } catch (CorruptDataException e) {
            if (lead || a.replicas().size() < 2) {
                damaged.put(key, a.epoch()); // reported, so that the master moves leadership to a healthy replica
                LOG.error(
                        "replica is damaged and refuses to open; its files were left as they are [database={}, "
                                + "shard={}, file={}, offset={}]: {}. {}",
                        key.database(),
                        key.shard(),
                        e.file(),
                        e.offset(),
                        e.getMessage(),
                        lead && a.replicas().size() > 1
                                ? "Stop this node so that the master moves leadership to an in-sync replica; the "
                                        + "damaged replica then re-syncs as a follower."
                                : "With one replica there is no healthy copy: restore the shard directory from a backup, "
                                        + "or move it away to start the shard empty.");
                throw e;
            }
            LOG.error(
                    "replica is damaged [database={}, shard={}, file={}, offset={}]: {}; moving it to quarantine and "
                            + "re-syncing from the leader",
                    key.database(),
                    key.shard(),
                    e.file(),
                    e.offset(),
                    e.getMessage());
            registry.quarantine(key, a.options().files());
            metrics.quarantined();
            replica = registry.open(key, a.options(), a.epoch(), lead);
        }
        Shard shard = replica.shard();
        if (lead) {
            ReplicaLeader l = new ReplicaLeader(key, selfId, shard, a, options);
            shard.setFlushGate(l::awaitCommittedForFlush);
            shard.setNeededLsn(l::neededLsn, options.walRetentionMax());
            leaders.put(key, l);
            List<String> followerIds = new ArrayList<>(a.replicas());
            followerIds.remove(selfId);
            metrics.bind(key, l, followerIds);
            boolean takeOver = before != null && before.epoch() < a.epoch() || before == null && shard.lastLsn() > 0;
            if (takeOver && a.replicas().size() > 1) {
                catchUps.execute(() -> {
                    try {
                        LeaderCatchUp.run(key, selfId, shard, a, options, this::channel);
                    } catch (RuntimeException e) {
                        LOG.error(
                                "catch-up of a new leader failed; leading with what it has [database={}, shard={}]",
                                key.database(),
                                key.shard(),
                                e);
                    } finally {
                        l.ready();
                    }
                });
            } else {
                l.ready();
            }
            LOG.info(
                    "leading [database={}, shard={}, epoch={}, replicas={}, concern={}, lsn={}]",
                    key.database(),
                    key.shard(),
                    a.epoch(),
                    a.replicas(),
                    a.writeConcern(),
                    shard.lastLsn());
        } else if (a.leaderId() != null) {
            startFollower(a, shard);
        } else {
            shard.setFlushGate(FlushGate.OPEN);
            LOG.info(
                    "shard is leaderless; serving reads only [database={}, shard={}, epoch={}]",
                    key.database(),
                    key.shard(),
                    a.epoch());
        }
    }

    private void startFollower(ReplicaAssignment a, Shard shard) {
        ReplicaFollower f = new ReplicaFollower(
                a.key(),
                selfId,
                shard,
                a,
                options,
                channel(a.leaderAddress()),
                this::truncate,
                this::resync,
                registry.disk());
        shard.setFlushGate(f::awaitCommittedForFlush);
        shard.setNeededLsn(() -> Long.MAX_VALUE, 0);
        followers.put(a.key(), f);
        f.start();
    }

    private void stopRole(ShardKey key) {
        ReplicaLeader l = leaders.remove(key);
        if (l != null) {
            metrics.unbind(key);
            l.close();
        }
        ReplicaFollower f = followers.remove(key);
        if (f != null) {
            f.close();
        }
    }

    /**
     * Called by a follower's thread: close, cut back and reopen its shard. When parts were already flushed past
     * {@code toLsn} (a follower flushes what its leader committed, so this needs a leader that lost committed ops
     * to an operator), the log cannot be cut and the replica is re-synced from the leader's snapshot instead.
     */
    private void truncate(ShardKey key, long toLsn) {
        ReplicaAssignment a = assigned.get(key);
        ReplicaFollower f = followers.get(key);
        if (a == null || f == null) {
            throw new NotLeaderException("replica no longer assigned " + key.context());
        }
        registry.close(key);
        Path dir = registry.directory(key);
        boolean cut = false;
        try {
            cut = ReplicaLogTruncator.canTruncate(dir, toLsn);
            if (cut) {
                ReplicaLogTruncator.truncate(dir, toLsn);
                metrics.truncated();
            }
        } finally {
            f.reopened(registry.open(key, a.options(), a.epoch(), false).shard());
        }
        if (!cut) {
            LOG.warn(
                    "parts of this replica already hold ops past the leader's divergence point; re-syncing from a "
                            + "snapshot instead of truncating [database={}, shard={}, truncateTo={}]",
                    key.database(),
                    key.shard(),
                    toLsn);
            resync(key, f);
        }
    }

    private synchronized ManagedChannel channel(String address) {
        return channels.computeIfAbsent(address, StorageChannels::open);
    }

    @Override
    public synchronized List<ReplicaStatus> status() {
        List<ReplicaStatus> out = new ArrayList<>();
        boolean diskFull = registry.disk().freeBytes() < registry.disk().watermarkBytes();
        for (ShardReplica r : registry.replicas()) {
            String problem = r.shard().failure() != null
                    ? "shard stopped after a storage failure: "
                            + r.shard().failure().getMessage()
                    : diskFull ? "disk past its free-space watermark" : null;
            out.add(new ReplicaStatus(r.key(), r.epoch(), r.shard().lastLsn(), problem));
        }
        for (var e : stopped.entrySet()) {
            if (registry.replicas().stream().noneMatch(r -> r.key().equals(e.getKey()))) {
                out.add(new ReplicaStatus(
                        e.getKey(),
                        e.getValue().epoch(),
                        0,
                        "shard stopped after a storage failure and cannot be reopened yet"));
            }
        }
        for (var e : damaged.entrySet()) {
            out.add(new ReplicaStatus(e.getKey(), e.getValue(), 0, "damaged files; the replica refuses to open"));
        }
        return out;
    }

    // ---------------------------------------------------------------- hooks of the RPC service

    @Override
    public void beforeWrite(ShardReplica replica) {
        ReplicaLeader l = leaders.get(replica.key());
        if (l != null) {
            l.checkLag();
        }
    }

    @Override
    public void afterWrite(ShardReplica replica) {
        ReplicaLeader l = leaders.get(replica.key());
        if (l == null) {
            if (assigned.containsKey(replica.key())) {
                throw new NotLeaderException(
                        "no longer the leader " + replica.key().context() + ": refresh routing and retry");
            }
            return; // a replica opened outside replication (tests, single node)
        }
        l.appended();
        try {
            l.awaitCommitted(replica.shard().lastLsn());
        } catch (NotReplicatedException e) {
            metrics.notReplicated();
            throw e;
        }
    }

    @Override
    public FetchResponse fetch(FetchRequest request) {
        ShardKey key = new ShardKey(
                request.getShard().getDatabase(), request.getShard().getShard());
        if (request.getCatchUp()) {
            long maxBytes = request.getMaxBytes() == 0 ? options.fetchMaxBytes() : request.getMaxBytes();
            return LeaderCatchUp.serve(registry.replica(key).shard(), request, maxBytes);
        }
        ReplicaLeader l = leaders.get(key);
        if (l == null) {
            throw new NotLeaderException("not the leader " + key.context() + ": follower " + request.getFollowerId()
                    + " must refresh its metadata");
        }
        return l.fetch(request);
    }

    @Override
    public void snapshot(SnapshotRequest request, ServerCallStreamObserver<SnapshotChunk> out) {
        ShardKey key = new ShardKey(
                request.getShard().getDatabase(), request.getShard().getShard());
        ReplicaLeader l = leaders.get(key);
        if (l == null || l.epoch() != request.getShard().getEpoch()) {
            throw new NotLeaderException(
                    "not the leader at epoch " + request.getShard().getEpoch() + " " + key.context() + ": follower "
                            + request.getFollowerId() + " must refresh its metadata");
        }
        LOG.info(
                "sending a full re-sync snapshot [database={}, shard={}, follower={}]",
                key.database(),
                key.shard(),
                request.getFollowerId());
        SnapshotTransfer.serve(registry.replica(key).shard(), out);
    }

    /** Carries the replica's {@code quarantine/} folder into the snapshot about to replace it: never deleted. */
    private static void keepQuarantine(FileIo io, Path dir, Path staging) {
        Path q = dir.resolve(QUARANTINE_DIR);
        if (Files.isDirectory(q)) {
            try {
                io.moveDurably(q, staging.resolve(QUARANTINE_DIR));
            } catch (IOException e) {
                throw new StorageIoException("cannot keep the quarantine of a replica [dir=" + q + "]", e);
            }
        }
    }

    /** Called by a follower's thread: replaces its replica with the leader's snapshot, then reopens it. */
    private void resync(ShardKey key, ReplicaFollower follower) {
        ReplicaAssignment a = assigned.get(key);
        if (a == null) {
            throw new NotLeaderException("replica no longer assigned " + key.context());
        }
        Path dir = registry.directory(key);
        Path staging = dir.resolveSibling(dir.getFileName() + ".resync");
        FileIo io = a.options().files();
        long started = System.nanoTime();
        long lsn = SnapshotTransfer.receive(
                key,
                follower.leaderStub(),
                SnapshotRequest.newBuilder()
                        .setShard(ShardRefCodec.encode(key, a.epoch()))
                        .setFollowerId(selfId)
                        .build(),
                staging,
                io);
        registry.close(key);
        try {
            keepQuarantine(io, dir, staging);
            SnapshotTransfer.deleteRecursively(dir);
            io.moveDurably(staging, dir);
        } catch (IOException e) {
            throw new StorageIoException("cannot install snapshot [dir=" + dir + "]", e);
        } finally {
            // reopened whatever happened: after a failed install the replica holds less, and the next fetch asks
            // for another snapshot
            follower.reopened(registry.open(key, a.options(), a.epoch(), false).shard());
        }
        metrics.resynced();
        LOG.warn(
                "replica re-synced from the leader's snapshot [database={}, shard={}, lsn={}, ms={}]",
                key.database(),
                key.shard(),
                lsn,
                (System.nanoTime() - started) / 1_000_000);
    }

    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        catchUps.shutdownNow();
        for (ShardKey k : new ArrayList<>(assigned.keySet())) {
            stopRole(k);
        }
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
