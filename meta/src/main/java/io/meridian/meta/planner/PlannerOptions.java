package io.meridian.meta.planner;

import java.time.Duration;
import java.util.Objects;

/**
 * Knobs of the planner.
 *
 * @param rebalanceDelay a new or returning node takes replicas from others only after being live this long
 * @param repairDelay a replica on a node dead this long is replaced by one on a live spare node
 */
public record PlannerOptions(Duration rebalanceDelay, Duration repairDelay) {
    public static final Duration DEFAULT_REBALANCE_DELAY = Duration.ofMinutes(5);
    public static final Duration DEFAULT_REPAIR_DELAY = Duration.ofMinutes(30);

    public PlannerOptions {
        Objects.requireNonNull(rebalanceDelay, "rebalanceDelay");
        Objects.requireNonNull(repairDelay, "repairDelay");
        if (rebalanceDelay.isNegative() || repairDelay.isNegative()) {
            throw new IllegalArgumentException("invalid planner delays [rebalanceDelay=" + rebalanceDelay
                    + ", repairDelay=" + repairDelay + "]: want >= 0");
        }
    }

    /** With the default repair delay. */
    public PlannerOptions(Duration rebalanceDelay) {
        this(rebalanceDelay, DEFAULT_REPAIR_DELAY);
    }

    public static PlannerOptions defaults() {
        return new PlannerOptions(DEFAULT_REBALANCE_DELAY, DEFAULT_REPAIR_DELAY);
    }
}
