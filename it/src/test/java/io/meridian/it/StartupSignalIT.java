package io.meridian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.common.io.FileTrees;
import io.meridian.common.io.LoopbackPorts;
import io.meridian.meta.etcd.EtcdProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A SIGTERM at any moment of a launcher's start-up (issue #16; seen: eight seconds after {@code bin/meridian
 * standalone} started, while the Flink job was starting, etcd was left running) stops every process the launcher
 * started, etcd included, and the launcher exits. For the standalone at several points of its start-up (etcd, Kafka,
 * storage, broker, Flink), and for {@code cluster up} while it launches its roles. Fresh directory each time.
 */
class StartupSignalIT {
    private final List<Process> launched = new ArrayList<>();
    /** Every descendant of a launcher seen, by pid: killed after each test even when orphaned (the bug). */
    private final Map<Long, ProcessHandle> seen = new LinkedHashMap<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : launched) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        seen.values().forEach(ProcessHandle::destroyForcibly);
    }

    @ParameterizedTest(name = "SIGTERM {0} ms after bin/meridian standalone starts")
    @ValueSource(ints = {1_000, 4_000, 8_000, 12_000})
    void standaloneStopsEverythingItStartedAtAnyMomentOfItsStartUp(int afterMs) throws Exception {
        Assumptions.assumeTrue(EtcdProcess.isInstalled(), "etcd is not installed");
        Path dir = freshDir("StartupSignalIT-standalone-" + afterMs);
        Process p = launch(
                "io.meridian.deploy.StandaloneMain",
                "--data-dir",
                dir.toString(),
                "--http-port",
                "0",
                "--kafka-port",
                "0");
        assertSigtermLeavesNothing(p, afterMs);
    }

    @ParameterizedTest(name = "SIGTERM {0} ms after bin/meridian cluster up starts")
    @ValueSource(ints = {3_000})
    void clusterUpStopsEveryProcessItLaunchedDuringItsStartUp(int afterMs) throws Exception {
        Assumptions.assumeTrue(EtcdProcess.isInstalled(), "etcd is not installed");
        Path dir = freshDir("StartupSignalIT-cluster-" + afterMs);
        Process p = launch(
                "io.meridian.deploy.ClusterMain",
                "up",
                "--brokers",
                "1",
                "--storage",
                "2",
                "--dir",
                dir.toString(),
                "--http-port",
                Integer.toString(LoopbackPorts.pick()));
        assertSigtermLeavesNothing(p, afterMs);
    }

    /**
     * Watches the launcher's descendants until {@code afterMs}, sends SIGTERM, keeps watching until the launcher
     * exits, then expects every descendant ever seen to be gone.
     */
    private void assertSigtermLeavesNothing(Process p, int afterMs) throws Exception {
        long signalAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(afterMs);
        // the point of the test is a signal at a given moment of the start-up: watch until then (or an early exit)
        while (System.nanoTime() < signalAt && p.isAlive()) {
            p.toHandle().descendants().forEach(h -> seen.put(h.pid(), h));
            p.waitFor(20, TimeUnit.MILLISECONDS);
        }
        assertThat(p.isAlive())
                .as("the launcher is still starting or running when signalled")
                .isTrue();
        p.destroy(); // SIGTERM
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (p.isAlive() && System.nanoTime() < deadline) {
            p.toHandle().descendants().forEach(h -> seen.put(h.pid(), h));
            p.waitFor(20, TimeUnit.MILLISECONDS);
        }
        assertThat(p.isAlive()).as("the launcher exits after SIGTERM").isFalse();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(seen.values())
                        .as("processes the launcher started (%s)", seen.keySet())
                        .noneMatch(ProcessHandle::isAlive));
    }

    private Process launch(String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "-cp",
                System.getProperty("java.class.path"),
                main));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        launched.add(p);
        return p;
    }

    private static Path freshDir(String name) throws IOException {
        Path dir = Path.of("target", "it-clusters", name).toAbsolutePath();
        FileTrees.delete(dir);
        return dir;
    }
}
