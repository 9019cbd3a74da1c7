package io.meridian.storage.replication;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.storage.v1.FetchRequest;
import io.meridian.common.rpc.storage.v1.FetchResponse;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.file.DiskSpace;
import io.meridian.storage.replication.log.LogOp;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRefCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower side of one shard replica: a thread that fetches the leader's replica log from the first op
 * this replica lacks, applies each op (durable before the next fetch, which is the acknowledgement), and
 * truncates an uncommitted tail when the leader says the logs diverged. It remembers the leader's commit
 * point, which gates this replica's flushes.
 */
final class ReplicaFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFollower.class);
    private static final long MAX_BACKOFF_MS = 1_000;

    /**
     * Cuts the replica's log back (the controller closes, truncates and reopens it). The reopened shard reaches the
     * follower through {@link #reopened} even when the cut fails, so that it never fetches into a closed shard.
     */
    interface Truncation {
        void truncate(ShardKey key, long toLsn);
    }

    /** Replaces the replica with the leader's snapshot and reopens it (the controller does the files). */
    interface Resync {
        void resync(ShardKey key, ReplicaFollower follower);
    }

    private final ShardKey key;
    private final String selfId;
    private final ReplicaAssignment assignment;
    private final ReplicationOptions options;
    private final Truncation truncation;
    private final Resync resync;
    /** The node's free-space watermark: past it the follower pauses its fetches instead of running into ENOSPC. */
    private final DiskSpace disk;

    private final StorageServiceGrpc.StorageServiceBlockingStub stub;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition committed = lock.newCondition();
    private volatile Shard shard;
    private volatile boolean running = true;
    private volatile Context.CancellableContext inFlight;
    private long commitLsn;

    ReplicaFollower(
            ShardKey key,
            String selfId,
            Shard shard,
            ReplicaAssignment assignment,
            ReplicationOptions options,
            ManagedChannel leaderChannel,
            Truncation truncation,
            Resync resync,
            DiskSpace disk) {
        this.disk = disk;
        this.key = key;
        this.selfId = selfId;
        this.shard = shard;
        this.assignment = assignment;
        this.options = options;
        this.truncation = truncation;
        this.resync = resync;
        this.stub = StorageServiceGrpc.newBlockingStub(leaderChannel);
        this.thread = new Thread(this::run, "meridian-follower-" + key.database() + "-" + key.shard());
        this.thread.setDaemon(true);
    }

    ReplicaFollower start() {
        thread.start();
        LOG.info(
                "following [database={}, shard={}, epoch={}, leader={}@{}, lsn={}]",
                key.database(),
                key.shard(),
                assignment.epoch(),
                assignment.leaderId(),
                assignment.leaderAddress(),
                shard.lastLsn());
        return this;
    }

    ReplicaAssignment assignment() {
        return assignment;
    }

    Shard shard() {
        return shard;
    }

    /** Takes the shard the controller reopened after a truncation or a re-sync (called on this follower's thread). */
    void reopened(Shard reopened) {
        shard = reopened;
        reopened.setFlushGate(this::awaitCommittedForFlush);
    }

    private void run() {
        long backoff = 10;
        long failures = 0;
        while (running) {
            try {
                fetchOnce();
                backoff = 10;
                if (failures > 0) {
                    LOG.info(
                            "fetching again [database={}, shard={}, leader={}, failuresBefore={}]",
                            key.database(),
                            key.shard(),
                            assignment.leaderId(),
                            failures);
                    failures = 0;
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                failures++;
                if (failures == 1 || failures % 50 == 0) {
                    MeridianException m = e instanceof StatusRuntimeException s ? RpcErrors.fromStatus(s) : null;
                    LOG.warn(
                            "fetch failed [database={}, shard={}, leader={}@{}, failures={}]: {}",
                            key.database(),
                            key.shard(),
                            assignment.leaderId(),
                            assignment.leaderAddress(),
                            failures,
                            m != null ? m.getMessage() : e.toString());
                }
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    StorageServiceGrpc.StorageServiceBlockingStub leaderStub() {
        return stub;
    }

    private void fetchOnce() {
        disk.checkWritable(); // a full disk pauses the follower (logged, retried with back-off) until space returns
        Shard s = shard;
        long from = s.lastLsn() + 1;
        FetchRequest request = FetchRequest.newBuilder()
                .setProtocolRevision(StorageRpc.PROTOCOL_REVISION)
                .setShard(ShardRefCodec.encode(key, assignment.epoch()))
                .setFollowerId(selfId)
                .setFromLsn(from)
                .setLastEpoch(from == 1 ? 0 : s.lastEpoch())
                .setMaxBytes((int) Math.min(Integer.MAX_VALUE, options.fetchMaxBytes()))
                .setMaxWaitMs((int) options.fetchWait().toMillis())
                .build();
        // the call runs in a cancellable context so that close() does not wait out a frozen leader's deadline
        Context.CancellableContext call = Context.current().withCancellation();
        inFlight = call;
        FetchResponse response;
        try {
            response = call.call(
                    () -> stub.withDeadlineAfter(options.fetchWait().toMillis() + 10_000, TimeUnit.MILLISECONDS)
                            .fetch(request));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            call.close();
            inFlight = null;
        }
        if (response.getResync()) {
            LOG.warn(
                    "the leader's WAL no longer holds this replica's next op; re-syncing from a snapshot "
                            + "[database={}, shard={}, from={}]",
                    key.database(),
                    key.shard(),
                    from);
            resync.resync(key, this);
            return;
        }
        if (response.getTruncate()) {
            long to = response.getTruncateTo();
            LOG.warn(
                    "leader says this replica's log diverged; truncating its uncommitted tail [database={}, shard={}, "
                            + "has={}, truncateTo={}]",
                    key.database(),
                    key.shard(),
                    s.lastLsn(),
                    to);
            truncation.truncate(key, to);
            return;
        }
        if (response.getOpsCount() > 0) {
            List<LogOp> ops = new ArrayList<>(response.getOpsCount());
            for (var op : response.getOpsList()) {
                ops.add(LogOpCodec.decode(op));
            }
            s.applyReplicated(ops);
        }
        lock.lock();
        try {
            if (response.getCommitLsn() > commitLsn) {
                commitLsn = response.getCommitLsn();
                committed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The flush gate: waits (bounded by the ack timeout) until the leader reported {@code lsn} committed. */
    void awaitCommittedForFlush(long lsn) {
        if (!BoundedWait.until(
                lock,
                committed,
                () -> commitLsn >= lsn || !running,
                options.ackTimeout().toNanos())) {
            LOG.warn(
                    "flushing ops the leader has not reported committed [database={}, shard={}, lsn={}]",
                    key.database(),
                    key.shard(),
                    lsn);
        }
    }

    private void sleep(long ms) {
        lock.lock();
        try {
            committed.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        lock.lock();
        try {
            committed.signalAll();
        } finally {
            lock.unlock();
        }
        Context.CancellableContext call = inFlight;
        if (call != null) {
            call.cancel(null); // a fetch long-polling a frozen leader ends now
        }
        // no interrupt: an interrupt during the WAL's fsync would close its file channel
        try {
            thread.join(options.fetchWait().toMillis() + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
