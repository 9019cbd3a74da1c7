package io.meridian.bench.broker;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits until this JVM (the benchmark's broker and storage node) has settled after a load: the flushes and
 * compactions it started, and the JIT's work, finished. Queries timed while a compaction runs share the machine's two
 * cores with it and measure the compaction as much as the query; the peers' query figures are taken on a settled
 * server (VictoriaMetrics after {@code /internal/force_flush}), and so are these.
 */
final class QuietProcess {
    /** Quiet: under a tenth of one core for {@link #QUIET_SAMPLES} consecutive samples. */
    private static final double QUIET_CORES = 0.10;

    private static final int QUIET_SAMPLES = 4;
    private static final Duration SAMPLE = Duration.ofMillis(500);

    private QuietProcess() {}

    /**
     * Blocks until the process is quiet or {@code bound} has passed.
     *
     * @return how long it waited, and whether it became quiet
     */
    static String await(Duration bound) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        long cpu = os.getProcessCpuTime();
        long at = start;
        int quiet = 0;
        while (quiet < QUIET_SAMPLES && System.nanoTime() < deadline) {
            LockSupport.parkNanos(SAMPLE.toNanos());
            long nowCpu = os.getProcessCpuTime();
            long now = System.nanoTime();
            quiet = (nowCpu - cpu) < QUIET_CORES * (now - at) ? quiet + 1 : 0;
            cpu = nowCpu;
            at = now;
        }
        return String.format(
                Locale.ROOT,
                "%s after %.1f s",
                quiet >= QUIET_SAMPLES ? "quiet" : "still busy",
                (System.nanoTime() - start) / 1e9);
    }
}
