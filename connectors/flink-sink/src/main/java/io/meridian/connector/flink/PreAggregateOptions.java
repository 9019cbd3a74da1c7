package io.meridian.connector.flink;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Bounds of the pre-aggregation operator ({@link MeridianAggregations#preAggregate}). Immutable; each {@code with}
 * method checks its value and names it when it is wrong.
 *
 * @see MeridianAggregations
 */
public final class PreAggregateOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Heap bytes of one open cell, for memory budgets: its partial (count, sum, min, max, first and last with their
     * times) and its place in the aggregator's maps. An estimate; histogram cells are larger.
     */
    public static final long CELL_BYTES = 150;

    private final long maxCells;
    private final Duration maxDelay;
    private final double minFoldRatio;

    private PreAggregateOptions(long maxCells, Duration maxDelay, double minFoldRatio) {
        this.maxCells = maxCells;
        this.maxDelay = maxDelay;
        this.minFoldRatio = minFoldRatio;
    }

    /** 200,000 open cells per subtask (about 30 MiB), 1 s delay at most, bypass below a fold ratio of 1.5. */
    public static PreAggregateOptions defaults() {
        return new PreAggregateOptions(200_000, Duration.ofSeconds(1), 1.5);
    }

    /** Open cells per subtask past which every cell is emitted (bounds the operator's memory). */
    public PreAggregateOptions withMaxCells(long maxCells) {
        if (maxCells < 1) {
            throw new IllegalArgumentException("invalid max cells [maxCells=" + maxCells + "]: want >= 1");
        }
        return new PreAggregateOptions(maxCells, maxDelay, minFoldRatio);
    }

    /**
     * The longest a point waits in the operator before it is emitted, when no checkpoint comes first (at least once,
     * or checkpoints further apart). With exactly once a checkpoint empties the operator anyway, and points are
     * visible only when it completes, so the checkpoint interval is the natural value.
     */
    public PreAggregateOptions withMaxDelay(Duration maxDelay) {
        if (maxDelay == null || maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException("invalid max delay [maxDelay=" + maxDelay + "]: want > 0");
        }
        return new PreAggregateOptions(maxCells, maxDelay, minFoldRatio);
    }

    /**
     * Points per emitted cell below which a shard's batches are passed through untouched for a while (sources with
     * one point per slot gain nothing from folding); 0 never bypasses.
     */
    public PreAggregateOptions withMinFoldRatio(double minFoldRatio) {
        if (!(minFoldRatio >= 0) || Double.isInfinite(minFoldRatio)) {
            throw new IllegalArgumentException(
                    "invalid min fold ratio [minFoldRatio=" + minFoldRatio + "]: want a number >= 0");
        }
        return new PreAggregateOptions(maxCells, maxDelay, minFoldRatio);
    }

    public long maxCells() {
        return maxCells;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    public double minFoldRatio() {
        return minFoldRatio;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreAggregateOptions p
                && maxCells == p.maxCells
                && maxDelay.equals(p.maxDelay)
                && Double.compare(minFoldRatio, p.minFoldRatio) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxCells, maxDelay, minFoldRatio);
    }

    @Override
    public String toString() {
        return "PreAggregateOptions[maxCells=" + maxCells + ", maxDelay=" + maxDelay + ", minFoldRatio=" + minFoldRatio
                + "]";
    }
}
