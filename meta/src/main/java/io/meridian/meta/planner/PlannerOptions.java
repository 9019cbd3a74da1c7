package io.meridian.meta.planner;

import java.time.Duration;
import java.util.Objects;

/**
 * Knobs of the planner.
 *
 * @param rebalanceDelay a new or returning node takes replicas from others only after being live this long
 */
public record PlannerOptions(Duration rebalanceDelay) {
    public static final Duration DEFAULT_REBALANCE_DELAY = Duration.ofMinutes(5);

    public PlannerOptions {
        Objects.requireNonNull(rebalanceDelay, "rebalanceDelay");
        if (rebalanceDelay.isNegative()) {
            throw new IllegalArgumentException("invalid rebalance delay [rebalanceDelay=" + rebalanceDelay
                    + "]: want >= 0");
        }
    }

    public static PlannerOptions defaults() {
        return new PlannerOptions(DEFAULT_REBALANCE_DELAY);
    }
}
