package io.meridian.meta.etcd;

import io.meridian.common.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One etcd server running as a child process of this JVM, on two free loopback ports.
 *
 * <p>Threading: all methods are {@code synchronized}; the object is meant to be driven by one owner
 * (a test extension or the standalone launcher).
 *
 * <p>The ports are fixed by the options or chosen once, at the first successful start, and kept by
 * {@link #restart()} so clients keep their endpoint. Picking a free port and binding it later is racy (another
 * process may take it in between), so a first start on picked ports retries with new ones up to
 * {@value #START_ATTEMPTS} times.
 */
public final class EtcdProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdProcess.class);

    static final int START_ATTEMPTS = 3;
    /** The first and the longest pause between two health requests to a starting etcd (a doubling back-off). */
    private static final Duration HEALTH_POLL_MIN_INTERVAL = Duration.ofMillis(50);

    private static final Duration HEALTH_POLL_MAX_INTERVAL = Duration.ofMillis(200);
    private static final Duration HEALTH_REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final int LOG_TAIL_LINES = 30;
    /** History kept for watches that resume after a disconnect; older revisions are compacted. */
    static final String AUTO_COMPACTION_RETENTION = "1h";

    private final EtcdProcessOptions options;
    private final Path logFile;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private int clientPort;
    private int peerPort;
    /** Volatile with {@link #jvmStopping}: the start-up and the shutdown hook each see the other's write. */
    private volatile Process process;

    private Thread shutdownHook;
    /** Set by the shutdown hook: no etcd may be started after it ran (it would outlive the JVM). */
    private volatile boolean jvmStopping;

    private EtcdProcess(EtcdProcessOptions options) {
        this.options = options;
        this.logFile = options.dataDir().resolveSibling(options.dataDir().getFileName() + ".log");
    }

    /**
     * Starts etcd and waits until {@code /health} reports healthy.
     *
     * @throws EtcdBinaryMissingException if the binary is not installed
     * @throws IllegalStateException if etcd does not become healthy after {@value #START_ATTEMPTS} attempts
     */
    public static EtcdProcess start(EtcdProcessOptions options) {
        Objects.requireNonNull(options, "options");
        if (!Files.isExecutable(options.binary())) {
            throw new EtcdBinaryMissingException(options.binary());
        }
        EtcdProcess etcd = new EtcdProcess(options);
        RuntimeException last = null;
        int attempts = options.fixedPorts() ? 1 : START_ATTEMPTS; // new ports only help when we pick them
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                etcd.clientPort = options.clientPort() != 0 ? options.clientPort() : freePort();
                etcd.peerPort = options.peerPort() != 0 ? options.peerPort() : freePort();
                etcd.startOnce();
                return etcd;
            } catch (RuntimeException e) {
                if (etcd.jvmStopping) { // a SIGTERM during the start-up: another attempt would outlive the JVM
                    etcd.stop();
                    throw e;
                }
                LOG.warn(
                        "etcd start failed, retrying with new ports [attempt={}, clientPort={}]: {}",
                        attempt,
                        etcd.clientPort,
                        e.getMessage());
                etcd.stop();
                if (last != null) {
                    e.addSuppressed(last);
                }
                last = e;
            }
        }
        throw last;
    }

    /** Whether the binary is installed, for callers that want to skip rather than fail. */
    public static boolean isInstalled() {
        return Files.isExecutable(EtcdProcessOptions.resolveBinary());
    }

    /** The client endpoint, e.g. {@code http://127.0.0.1:40123}. Stable across {@link #restart()}. */
    public synchronized String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    /**
     * Drops the JVM shutdown hook that kills etcd when the JVM exits: for an owner that stops etcd itself, last,
     * after the nodes that still talk to it (standalone mode's own shutdown hook).
     */
    public synchronized void detachShutdownHook() {
        removeShutdownHook();
    }

    /** The client port (on 127.0.0.1). */
    public synchronized int clientPort() {
        return clientPort;
    }

    /** The peer port (on 127.0.0.1). */
    public synchronized int peerPort() {
        return peerPort;
    }

    public Path dataDir() {
        return options.dataDir();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts etcd again on the same ports and data dir after {@link #stop()}. No-op when running. */
    public synchronized void restart() {
        if (isRunning()) {
            return;
        }
        startOnce();
    }

    /** Stops etcd (SIGTERM, then SIGKILL after the stop timeout). Keeps the data dir. Idempotent. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        long started = System.nanoTime();
        process.destroy();
        try {
            if (!process.waitFor(options.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "etcd did not stop after SIGTERM, killing it [pid={}, waitedMs={}]",
                        process.pid(),
                        options.stopTimeout().toMillis());
                process.destroyForcibly().waitFor(options.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        removeShutdownHook();
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            LOG.warn("cannot delete the etcd pid file [file={}]: {}", pidFile(), e.toString());
        }
        LOG.info(
                "etcd stopped [pid={}, port={}, ms={}]",
                process.pid(),
                clientPort,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        process = null;
    }

    /** Deletes the data dir, so that the next {@link #restart()} brings up an empty etcd. Stops etcd first. */
    public synchronized void wipe() {
        stop();
        deleteRecursively(options.dataDir());
        LOG.info("etcd data wiped [dataDir={}]", options.dataDir());
    }

    /** Stops etcd and deletes its data dir and log. */
    public synchronized void destroy() {
        wipe();
        try {
            Files.deleteIfExists(logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete etcd log [file=" + logFile + "]", e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** {@code <dataDir>.pid}: the pid of the etcd serving that data dir, while it runs. */
    private Path pidFile() {
        return options.dataDir().resolveSibling(options.dataDir().getFileName() + ".pid");
    }

    /**
     * Stops an etcd still serving this data dir for an owner that ended without stopping it (killed, or ended by
     * {@code -XX:+ExitOnOutOfMemoryError}, which runs no shutdown hook): it would hold the data dir and its ports.
     */
    private void reapOrphan() {
        Path pidFile = pidFile();
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).trim());
        } catch (IOException | NumberFormatException e) {
            return; // none recorded, or unreadable: nothing to reap
        }
        String dir = options.dataDir().toString();
        ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains(dir)).orElse(false))
                .ifPresent(h -> {
                    LOG.warn(
                            "stopping an etcd left running by an owner that ended without stopping it [pid={},"
                                    + " dataDir={}]",
                            pid,
                            dir);
                    h.destroyForcibly();
                    try {
                        h.onExit().get(options.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                        }
                        LOG.warn("the orphaned etcd did not exit in time [pid={}]", pid);
                    }
                });
    }

    private void startOnce() {
        long started = System.nanoTime();
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        // The hook first, so that no etcd exists without one; it kills whatever process is current when it runs, and
        // an etcd started after it ran is killed by this thread (each side writes, then reads the other's volatile).
        Thread hook = new Thread(this::killOnJvmExit, "etcd-shutdown-hook");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            jvmStopping = true;
            throw new IllegalStateException("the JVM is shutting down: etcd not started", shuttingDown);
        }
        shutdownHook = hook;
        try {
            Files.createDirectories(options.dataDir());
            reapOrphan();
            process = new ProcessBuilder(command(client, peer))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            if (jvmStopping) {
                process.destroyForcibly();
                throw new IllegalStateException("the JVM is shutting down: etcd stopped as it started");
            }
            Files.writeString(pidFile(), Long.toString(process.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start etcd [binary=" + options.binary() + "]", e);
        }
        awaitHealthy(client);
        LOG.info(
                "etcd started [pid={}, endpoint={}, dataDir={}, ms={}]",
                process.pid(),
                client,
                options.dataDir(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private List<String> command(String client, String peer) {
        List<String> cmd = new ArrayList<>(List.of(
                options.binary().toString(),
                "--name",
                options.name(),
                "--data-dir",
                options.dataDir().toString(),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                options.name() + "=" + peer,
                "--initial-cluster-state",
                "new",
                "--initial-cluster-token",
                "meridian-" + clientPort,
                "--logger",
                "zap",
                "--log-level",
                "warn",
                // reports and shard states change often; keep one hour of history for watch resumes
                "--auto-compaction-mode",
                "periodic",
                "--auto-compaction-retention",
                AUTO_COMPACTION_RETENTION));
        if (options.quotaBackendBytes() > 0) {
            cmd.add("--quota-backend-bytes");
            cmd.add(Long.toString(options.quotaBackendBytes()));
        }
        return cmd;
    }

    /**
     * A bounded poll of etcd's {@code /health} with back-off: a child process signals nothing when its port starts
     * answering, so there is no event to wait on. Its exit is one: the pause between two requests is a wait on
     * {@link Process#onExit()}, so an etcd that dies during start fails this at once.
     */
    private void awaitHealthy(String client) {
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create(client + "/health"))
                .timeout(HEALTH_REQUEST_TIMEOUT)
                .build();
        long pauseNanos = HEALTH_POLL_MIN_INTERVAL.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited during start [exitCode=" + process.exitValue()
                        + ", endpoint=" + client + "]:\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // expected until etcd binds its port
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for etcd [endpoint=" + client + "]", e);
            }
            try {
                process.onExit()
                        .get(Math.min(pauseNanos, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
            } catch (TimeoutException stillRunning) {
                // the next request
            } catch (ExecutionException e) {
                throw new IllegalStateException("BUG: Process.onExit() failed [endpoint=" + client + "]", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for etcd [endpoint=" + client + "]", e);
            }
            pauseNanos = Math.min(pauseNanos * 2, HEALTH_POLL_MAX_INTERVAL.toNanos());
        }
        throw new IllegalStateException("etcd did not become healthy [endpoint=" + client + ", timeoutMs="
                + options.startTimeout().toMillis() + "]:\n" + tail());
    }

    /** The JVM shutdown hook: no etcd starts after it, and the current one is killed. */
    private void killOnJvmExit() {
        jvmStopping = true;
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private void removeShutdownHook() {
        if (shutdownHook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmShuttingDown) {
            // the hook is running or about to; nothing left to remove
        }
        shutdownHook = null;
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no etcd log [file=" + logFile + "]: " + e + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    static void deleteRecursively(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete directory [dir=" + dir + "]", e);
        }
    }
}
