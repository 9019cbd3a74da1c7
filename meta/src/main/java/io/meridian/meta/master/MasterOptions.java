package io.meridian.meta.master;

import io.meridian.meta.planner.PlannerOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * How the master runs.
 *
 * @param leaseTtl the election lease: a dead master is replaced within about this long
 * @param pollInterval how often a candidate tries to become master and a master checks it still is
 * @param reconcileInterval how often the master re-plans even without a watched change (rebalance delays)
 * @param rebuildGrace after finding etcd empty, how long to wait for nodes to re-report before rebuilding
 * @param planner the planner's options
 */
public record MasterOptions(
        Duration leaseTtl,
        Duration pollInterval,
        Duration reconcileInterval,
        Duration rebuildGrace,
        PlannerOptions planner) {
    public MasterOptions {
        Objects.requireNonNull(leaseTtl, "leaseTtl");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(reconcileInterval, "reconcileInterval");
        Objects.requireNonNull(rebuildGrace, "rebuildGrace");
        Objects.requireNonNull(planner, "planner");
        if (leaseTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("invalid master lease TTL [leaseTtl=" + leaseTtl
                    + "]: want at least 1 s (etcd leases have whole seconds)");
        }
    }

    public static MasterOptions defaults() {
        return new MasterOptions(
                Duration.ofSeconds(10),
                Duration.ofMillis(500),
                Duration.ofSeconds(5),
                Duration.ofSeconds(15),
                PlannerOptions.defaults());
    }
}
