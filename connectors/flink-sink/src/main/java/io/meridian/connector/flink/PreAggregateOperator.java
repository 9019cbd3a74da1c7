package io.meridian.connector.flink;

import io.meridian.common.ingest.SlotAggregator;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stream down-sampling before the sink: folds each shard's points into exact partial aggregates, one cell per
 * (series, field, base slot) ({@link SlotAggregator}), so that storage receives, logs and replicates a cell where it
 * would have received many points. Chained between decode and sink, with no shuffle (batches stay per shard).
 *
 * <p><b>Exactly once without state.</b> The table is emptied in {@link #prepareSnapshotPreBarrier}, before the
 * checkpoint barrier leaves this operator: the cells of checkpoint N reach the chained sink writer ahead of the
 * barrier, so they are staged in the sink's transaction N, whose Kafka offsets cover exactly their points. Nothing is
 * held across a barrier, so the operator keeps no state of its own, a restore needs nothing from it, and it can be
 * switched on or off across a savepoint. It also emits everything when it holds {@code maxCells} cells (bounded
 * memory), after {@code maxDelay} (jobs without checkpoints) and at the end of a bounded input.
 *
 * <p>Points for a slot that was already emitted start a new cell; storage merges it with the one before, so late and
 * out-of-order points stay exact. Batches that already carry partials pass through. Each checkpoint interval, a shard
 * is judged once it folded {@value #PROBE_POINTS} points (or at the checkpoint): when they make fewer than
 * {@code minFoldRatio} points per cell (one point per slot, as in TSBS), its cells are emitted at once and its
 * batches pass through untouched for the next {@value #BYPASS_CHECKPOINTS} checkpoints, then it is tried again.
 */
final class PreAggregateOperator<IN> extends AbstractStreamOperator<ShardBatch>
        implements OneInputStreamOperator<IN, ShardBatch>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PreAggregateOperator.class);
    /** How long a shard's field types are trusted before they are read again. */
    private static final long TYPES_TTL_MS = 30_000;

    /** Points a shard folds before it is judged: its points per cell decide whether folding pays. */
    static final long PROBE_POINTS = 20_000;
    /** Checkpoints a shard whose points do not fold is passed through before it is tried again. */
    static final int BYPASS_CHECKPOINTS = 30;

    /** One (database, shard): its cells, its field types, its fold ratio. */
    private static final class ShardTable {
        final String database;
        final int shard;
        final SlotAggregator cells;
        final Map<String, Map<String, FieldType>> types = new HashMap<>();
        final Map<String, Long> typesReadAt = new HashMap<>();
        /** Judged since the last checkpoint (folding pays, or the shard is bypassed). */
        boolean judged;

        int bypassLeft;

        ShardTable(String database, int shard, long baseMs) {
            this.database = database;
            this.shard = shard;
            this.cells = new SlotAggregator(baseMs);
        }
    }

    private final SinkSettings settings;
    private final PreAggregateOptions options;
    private final PreAggregateInput<IN> input;
    private transient ShardRpc rpc;
    private transient Map<String, ShardTable> tables;
    private transient long openCells;
    private transient boolean timerArmed;
    private transient Counter pointsIn;
    private transient Counter cellsOut;
    private transient Counter pointsOutRaw;
    private transient Counter bypassedPoints;
    private transient Counter flushes;

    PreAggregateOperator(SinkSettings settings, PreAggregateOptions options, PreAggregateInput<IN> input) {
        this.settings = settings;
        this.options = options;
        this.input = input;
    }

    @Override
    public void open() throws Exception {
        super.open();
        rpc = ShardRpc.open(settings);
        tables = new LinkedHashMap<>();
        var group = getMetricGroup();
        pointsIn = group.counter("meridianPreAggPointsIn");
        cellsOut = group.counter("meridianPreAggCellsOut");
        pointsOutRaw = group.counter("meridianPreAggPointsOutRaw");
        bypassedPoints = group.counter("meridianPreAggBypassedPoints");
        flushes = group.counter("meridianPreAggFlushes");
        group.gauge("meridianPreAggOpenCells", () -> openCells);
        group.gauge(
                "meridianPreAggFoldRatio",
                () -> cellsOut.getCount() + pointsOutRaw.getCount() == 0
                        ? 0.0
                        : (double) (pointsIn.getCount() - bypassedPoints.getCount())
                                / (cellsOut.getCount() + pointsOutRaw.getCount()));
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        input.fold(element.getValue(), this);
        if (openCells >= options.maxCells()) {
            emitAll(false);
        } else if (openCells > 0 && !timerArmed) {
            timerArmed = true;
            long at = getProcessingTimeService().getCurrentProcessingTime()
                    + options.maxDelay().toMillis();
            getProcessingTimeService().registerTimer(at, now -> {
                timerArmed = false;
                emitAll(false);
            });
        }
    }

    // ---------------------------------------------------------------- what an input does with an element

    /** Hands a batch on untouched (it carries partials already, or its shard is bypassed). */
    void pass(ShardBatch b) {
        pointsIn.inc(b.points);
        if (!b.partials) {
            bypassedPoints.inc(b.points);
        }
        output.collect(new StreamRecord<>(b));
    }

    /** Whether the shard's batches currently pass through untouched (its points did not fold). */
    boolean bypassing(String database, int shard) {
        return table(database, shard).bypassLeft > 0;
    }

    /** Folds a batch of points of one shard. */
    void fold(String database, int shard, PointBatch batch) {
        ShardTable t = table(database, shard);
        long before = t.cells.cells();
        pointsIn.inc(t.cells.add(batch, (metric, field) -> type(t, metric, field)));
        openCells += t.cells.cells() - before;
        if (!t.judged && t.cells.points() >= PROBE_POINTS) {
            judge(t, t.cells.points(), t.cells.cells());
            if (t.bypassLeft > 0) {
                openCells -= t.cells.cells();
                emit(t);
            }
        }
    }

    /** Decides from {@code points} folded into {@code cells} whether the shard's batches pass through for a while. */
    private void judge(ShardTable t, long points, long cells) {
        t.judged = true;
        if (options.minFoldRatio() > 0 && points < options.minFoldRatio() * cells) {
            t.bypassLeft = BYPASS_CHECKPOINTS;
            LOG.info(
                    "points fold little on this shard; passing its batches through [db={}, shard={}, "
                            + "pointsPerCell={}, checkpoints={}]",
                    t.database,
                    t.shard,
                    String.format(Locale.ROOT, "%.2f", (double) points / cells),
                    BYPASS_CHECKPOINTS);
        }
    }

    /** Folds one row of a series of one shard ({@code values} one per field). */
    void fold(String database, int shard, SeriesKey key, List<String> fields, long ts, double[] values) {
        ShardTable t = table(database, shard);
        long before = t.cells.cells();
        pointsIn.inc(t.cells.add(key, fields, ts, values, (metric, field) -> type(t, metric, field)));
        openCells += t.cells.cells() - before;
    }

    /** The database's shard count (from the metadata). */
    int shards(String database) {
        return rpc.database(database).shards();
    }

    /** Before the barrier: this checkpoint's cells go into the sink's transaction of this checkpoint. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emitAll(true);
    }

    @Override
    public void endInput() {
        emitAll(false);
    }

    @Override
    public void finish() throws Exception {
        emitAll(false);
        super.finish();
    }

    private ShardTable table(String database, int shard) {
        return tables.computeIfAbsent(
                database + '\u0000' + shard,
                k -> new ShardTable(
                        database,
                        shard,
                        rpc.database(database).intervals().get(0).intervalMillis()));
    }

    /** The field's declared type on the shard (read from its leader, at most every 30 s per metric); else gauge. */
    private FieldType type(ShardTable t, String metric, String field) {
        long now = System.currentTimeMillis();
        Long readAt = t.typesReadAt.get(metric);
        if (readAt == null || now - readAt > TYPES_TTL_MS) {
            t.types.put(metric, rpc.fieldTypes(t.database, t.shard, metric));
            t.typesReadAt.put(metric, now);
        }
        return t.types.get(metric).getOrDefault(field, FieldType.GAUGE);
    }

    /** Emits every open cell; at a checkpoint, also advances each shard's bypass decision. */
    private void emitAll(boolean checkpoint) {
        for (ShardTable t : tables.values()) {
            if (checkpoint && !t.judged && t.cells.points() > 0) {
                judge(t, t.cells.points(), t.cells.cells());
            }
            emit(t);
            if (checkpoint) {
                t.judged = t.bypassLeft > 0 && --t.bypassLeft > 0; // judged again after the bypass, or next interval
            }
        }
        openCells = 0;
        flushes.inc();
    }

    /** Emits a shard's cells: dense slots as one batch of partials, lone points as one batch of points. */
    private void emit(ShardTable t) {
        if (t.cells.isEmpty()) {
            return;
        }
        SlotAggregator.Drained d = t.cells.drain();
        if (d.rows().getSeriesCount() > 0) {
            output.collect(new StreamRecord<>(
                    new ShardBatch(t.database, t.shard, d.rows().toByteArray(), d.rowPoints())));
        }
        if (d.partials().getPartialsCount() > 0) {
            output.collect(new StreamRecord<>(ShardBatch.ofPartials(
                    t.database, t.shard, d.partials().toByteArray(), d.partialPoints(), d.cells())));
        }
        cellsOut.inc(d.cells());
        pointsOutRaw.inc(d.rowPoints());
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            if (rpc != null) {
                rpc.close();
            }
        }
    }
}
