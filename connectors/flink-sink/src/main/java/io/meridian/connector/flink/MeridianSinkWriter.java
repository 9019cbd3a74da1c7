package io.meridian.connector.flink;

import com.google.protobuf.ByteString;
import io.meridian.common.error.BusyException;
import io.meridian.common.error.MeridianException;
import io.meridian.common.error.ShardUnavailableException;
import io.meridian.meta.client.WriterLane;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's writer: one per subtask. Elements go into per-(database, shard) mini-batches ({@link ShardBuffers});
 * a full batch is sent at once, on a background sender, in order per shard, while the task goes on.
 *
 * <p><b>Exactly once</b> (two-phase commit with the storage nodes): everything written between two checkpoints
 * is one transaction of this writer. Batches are <em>staged</em> on the shard leaders (durable and replicated,
 * invisible); at the checkpoint barrier {@link #prepareCommit} stages what is left and hands one
 * {@link ShardCommittable} per touched shard to the {@link MeridianCommitter}, which makes them visible once the
 * checkpoint completes. The transaction id is the last checkpoint id + 1, so ids increase per writer, and the
 * writer id ({@code sinkId-runId-subtask}) survives restores through {@link WriterState}.
 * <ul>
 *   <li>Staging is not idempotent, so a failed attempt (unknown whether it applied) makes the writer abort the
 *       shard's transaction and stage all of its batches again, from this writer's copy of them. A BUSY answer
 *       (the node's write memory at its bound) applied nothing: only that batch is sent again, after a pause.</li>
 *   <li>After a restore from checkpoint N the first transaction is N + 1, the id the failed attempt was using
 *       too: the writer aborts it on each shard before staging there. Later ids are above anything the failed
 *       attempt used, and the storage node drops a writer's lower staged transactions once a higher one commits.</li>
 * </ul>
 *
 * <p><b>At least once</b>: batches are written directly (visible at once) with this writer instance's id and a
 * sequence per shard, so a retried batch is applied once; a checkpoint waits until every batch is acknowledged.
 *
 * <p>Back-pressure: at most {@code 2 x senders} batches are in flight; past that {@link #write} blocks, and a
 * storage node that answers "busy" is retried with back-off, so a slow cluster slows the job down.
 */
final class MeridianSinkWriter<IN>
        implements StatefulSinkWriter<IN, WriterState>, CommittingSinkWriter<IN, ShardCommittable> {
    private static final Logger LOG = LoggerFactory.getLogger(MeridianSinkWriter.class);
    private static final int SENDERS = 4;

    /**
     * One shard's sending state: its ordered chain of sends; exactly once, the current transaction's batches; at
     * least once, the writer lane whose sequences the chain's writes take in order.
     */
    private static final class Lane {
        final String database;
        final int shard;
        final WriterLane writes;
        CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
        final List<ByteString> staged = new ArrayList<>();
        long stagedPoints;
        boolean abortFirst;

        Lane(String database, int shard, String writerId) {
            this.database = database;
            this.shard = shard;
            this.writes = new WriterLane(writerId);
        }
    }

    private final SinkSettings settings;
    private final ElementBatcher<IN> batcher;
    private final ShardRpc rpc;
    private final boolean exactlyOnce;
    private final String runId;
    private final String writerId;
    private final ShardBuffers buffers = new ShardBuffers();
    private final Map<String, Lane> lanes = new HashMap<>();
    private final ExecutorService senders;
    private final Semaphore inFlight = new Semaphore(2 * SENDERS);
    private final ProcessingTimeService timers;
    private final Counter pointsSent;
    private final Counter restarts;
    private final Counter busyRetries;
    private volatile Throwable failure;
    private long transaction;
    private boolean firstAfterRestore;
    private boolean timerArmed;

    MeridianSinkWriter(
            SinkSettings settings,
            ElementBatcher<IN> batcher,
            WriterInitContext context,
            Collection<WriterState> restored) {
        this.settings = settings;
        this.batcher = batcher;
        this.exactlyOnce = settings.guarantee() != DeliveryGuarantee.AT_LEAST_ONCE;
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        // exactly once: the run id outlives restores (see WriterState); at least once: a fresh id per instance, as
        // sequences start again at 1 and must not be taken for duplicates of the last instance's
        this.runId = exactlyOnce && !restored.isEmpty()
                ? restored.iterator().next().runId()
                : UUID.randomUUID().toString();
        this.writerId = settings.sinkId() + "-" + runId + "-" + subtask;
        this.transaction = context.getRestoredCheckpointId().orElse(0L) + 1;
        this.firstAfterRestore =
                exactlyOnce && context.getRestoredCheckpointId().isPresent() && !restored.isEmpty();
        this.timers = context.getProcessingTimeService();
        this.pointsSent = context.metricGroup().getNumRecordsSendCounter();
        this.restarts = context.metricGroup().counter("meridianTransactionRestarts");
        this.busyRetries = context.metricGroup().counter("meridianBusyRetries");
        this.rpc = ShardRpc.open(settings);
        context.metricGroup().gauge("meridianShardRetries", rpc::retries);
        this.senders = Executors.newFixedThreadPool(SENDERS, r -> {
            Thread t = new Thread(r, "meridian-sink-sender-" + subtask);
            t.setDaemon(true);
            return t;
        });
        LOG.info(
                "meridian sink writer started [writer={}, guarantee={}, transaction={}, restored={}]",
                writerId,
                exactlyOnce ? "exactly-once" : "at-least-once",
                transaction,
                firstAfterRestore);
    }

    @Override
    public void write(IN element, Context context) throws IOException, InterruptedException {
        checkFailure();
        ShardBuffers.Buffer b = batcher.add(element, buffers, rpc);
        if (b.size >= settings.maxBatchPoints()) {
            send(buffers.take(b));
        } else if (!exactlyOnce && !timerArmed) {
            timerArmed = true;
            timers.registerTimer(
                    timers.getCurrentProcessingTime() + settings.maxBatchDelay().toMillis(), t -> {
                        timerArmed = false;
                        sendAll();
                    });
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        if (!exactlyOnce) { // exactly once: prepareCommit follows and stages what is left
            sendAll();
            awaitSends();
        }
    }

    @Override
    public Collection<ShardCommittable> prepareCommit() throws IOException, InterruptedException {
        if (!exactlyOnce) {
            return List.of();
        }
        sendAll();
        awaitSends();
        List<ShardCommittable> out = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            if (!lane.staged.isEmpty()) {
                out.add(new ShardCommittable(lane.database, lane.shard, writerId, transaction, lane.stagedPoints));
                lane.staged.clear();
                lane.stagedPoints = 0;
            }
        }
        return out;
    }

    @Override
    public List<WriterState> snapshotState(long checkpointId) {
        transaction = checkpointId + 1; // above every id used so far: ids only grow per writer
        firstAfterRestore = false;
        return List.of(new WriterState(runId));
    }

    private void sendAll() throws InterruptedException {
        for (ShardBuffers.Buffer b : buffers.takeAll()) {
            send(b);
        }
    }

    /** Hands a full batch to its shard's sender chain; blocks while too many are in flight (back-pressure). */
    private void send(ShardBuffers.Buffer b) throws InterruptedException {
        if (b.hasPartials()) {
            rpc.requirePartialWrites(b.database, b.shard);
        }
        List<ByteString> batches = b.build();
        for (int i = 0; i < batches.size(); i++) {
            send(b, batches.get(i), i == 0 ? b.points : 0);
        }
    }

    /** Sends one request's batch (points or partials) of a buffer; {@code points} counts it for the metrics. */
    private void send(ShardBuffers.Buffer b, ByteString batch, long points) throws InterruptedException {
        Lane lane = lanes.computeIfAbsent(b.database + '\u0000' + b.shard, k -> {
            Lane l = new Lane(b.database, b.shard, writerId);
            l.abortFirst = firstAfterRestore;
            return l;
        });
        long txn = transaction;
        Runnable task;
        if (exactlyOnce) {
            lane.staged.add(batch);
            lane.stagedPoints += points;
            int index = lane.staged.size() - 1;
            List<ByteString> upTo = List.copyOf(lane.staged);
            task = () -> stage(lane, txn, upTo, index);
        } else {
            task = () -> { // on the lane's chain: one write at a time, in order
                rpc.write(lane.database, lane.shard, writerId, lane.writes.begin(), batch);
                lane.writes.end();
            };
        }
        inFlight.acquire();
        lane.tail = lane.tail.thenRunAsync(
                () -> {
                    try {
                        if (failure == null) {
                            task.run();
                            pointsSent.inc(points);
                        }
                    } catch (Throwable t) {
                        if (failure == null) {
                            failure = t;
                        }
                    } finally {
                        inFlight.release();
                    }
                },
                senders);
    }

    /**
     * Stages batch {@code index} of the lane's transaction. When an attempt fails it is unknown whether it applied,
     * so the shard's transaction starts over: abort, then stage every batch of it again, until the request timeout.
     */
    private void stage(Lane lane, long txn, List<ByteString> batches, int index) {
        long deadline = rpc.deadline();
        long backoff = 10;
        boolean over = lane.abortFirst;
        lane.abortFirst = false;
        while (true) {
            try {
                if (over) {
                    rpc.abort(lane.database, lane.shard, writerId, txn);
                    for (int i = 0; i < index; i++) {
                        requireOpen(lane, txn, rpc.stageOnce(lane.database, lane.shard, writerId, txn, batches.get(i)));
                    }
                }
                requireOpen(lane, txn, rpc.stageOnce(lane.database, lane.shard, writerId, txn, batches.get(index)));
                return;
            } catch (MeridianException e) {
                if (!e.isRetriable()) {
                    throw e;
                }
                if (System.nanoTime() > deadline) {
                    throw new ShardUnavailableException(
                            "cannot stage [db=" + lane.database + ", shard=" + lane.shard
                                    + ", writer=" + writerId + ", transaction=" + txn + ", timeout="
                                    + rpc.timeout().toMillis() + "ms]: " + e.getMessage(),
                            e);
                }
                if (e instanceof BusyException && !over) {
                    // the node refused the batch before applying it (its memory is at its bound): only this batch
                    // is sent again, after a pause; that pause is the back-pressure into the job
                    LOG.debug(
                            "staging refused as busy [db={}, shard={}, transaction={}]: {}",
                            lane.database,
                            lane.shard,
                            txn,
                            e.getMessage());
                    busyRetries.inc();
                } else {
                    LOG.debug(
                            "staging failed, starting the shard's transaction over [db={}, shard={}, transaction={}]:"
                                    + " {}",
                            lane.database,
                            lane.shard,
                            txn,
                            e.getMessage());
                    restarts.inc();
                    over = true;
                }
                backoff = rpc.backoff(backoff, deadline);
            }
        }
    }

    /**
     * A stage into a transaction that already committed: this writer's transactions only move forward, so the job
     * was restored from a checkpoint older than one it had already committed (an old savepoint). Writing on would
     * drop the points silently (the node ignores them as late retries), so the job stops and says why.
     */
    private void requireOpen(Lane lane, long txn, boolean applied) {
        if (!applied) {
            throw new IllegalStateException("transaction " + txn + " of writer " + writerId + " already committed on"
                    + " [db=" + lane.database + ", shard=" + lane.shard + "]: the job was restored from a checkpoint"
                    + " older than the last one it committed; restore the latest checkpoint, or start the job afresh"
                    + " (a new run id) to write these points again");
        }
    }

    private void awaitSends() throws IOException, InterruptedException {
        for (Lane lane : lanes.values()) {
            try {
                lane.tail.get(settings.requestTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException(
                        "meridian sink: a batch was not acknowledged [db=" + lane.database + ", shard=" + lane.shard
                                + "]",
                        e);
            }
        }
        checkFailure();
    }

    private void checkFailure() throws IOException {
        Throwable t = failure;
        if (t != null) {
            throw new IOException(
                    "meridian sink: sending to the storage nodes failed [writer=" + writerId + "]: " + t.getMessage(),
                    t);
        }
    }

    @Override
    public void close() {
        senders.shutdownNow();
        rpc.close();
    }
}
