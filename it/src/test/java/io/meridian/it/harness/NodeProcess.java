package io.meridian.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One Meridian node running as its own JVM on 127.0.0.1 (a role's main class with {@code --config FILE}), from
 * this test JVM's class path, with its own configuration file and a log file that collects stdout and stderr of
 * every run (appended across restarts).
 *
 * <p>Faults: {@link #kill()} is SIGKILL ({@code kill -9}); {@link #pause()} / {@link #resume()} are SIGSTOP /
 * SIGCONT (a hung process: its lease expires, its sockets stay open); {@link #stop()} is SIGTERM (the clean
 * shutdown path). {@link #start()} after any of them runs the node again with the same configuration.
 *
 * <p>Threading: all methods are {@code synchronized}; one test drives a node.
 */
public abstract class NodeProcess implements AutoCloseable {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final String id;
    private final String main;
    private final List<String> jvmOptions;
    private final Path configFile;
    private final Path logFile;
    private Process process;
    private Thread reaper;
    private int starts;

    /** Writes {@code yaml} to {@code home/configName}; logs go to {@code home/node.log}. */
    protected NodeProcess(String id, String main, List<String> jvmOptions, Path home, String configName, String yaml) {
        this.id = Objects.requireNonNull(id, "id");
        this.main = Objects.requireNonNull(main, "main");
        this.jvmOptions = List.copyOf(jvmOptions);
        this.configFile = home.resolve(configName);
        this.logFile = home.resolve("node.log");
        try {
            Files.createDirectories(home);
            Files.writeString(configFile, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write node configuration [node=" + id + ", file=" + configFile + "]", e);
        }
    }

    public String id() {
        return id;
    }

    public Path configFile() {
        return configFile;
    }

    public Path logFile() {
        return logFile;
    }

    /** How many times the process was started. */
    public synchronized int starts() {
        return starts;
    }

    /** Starts the JVM (again). Returns at once: wait for registration with {@link MeridianCluster#awaitRegistered}. */
    public synchronized NodeProcess start() {
        if (isAlive()) {
            throw new IllegalStateException("node process is already running [node=" + id() + ", pid=" + pid() + "]");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(TestClassPath.get());
        cmd.add(main);
        cmd.add("--config");
        cmd.add(configFile.toString());
        try {
            appendLog("---- harness: start #" + (starts + 1) + ": " + String.join(" ", cmd.subList(0, cmd.size() - 4))
                    + " ... " + main + " --config " + configFile + "\n");
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node process [node=" + id() + "]", e);
        }
        starts++;
        Process p = process;
        reaper = new Thread(p::destroyForcibly, "it-node-reaper-" + id());
        Runtime.getRuntime().addShutdownHook(reaper); // an aborted test run leaves no orphan JVM
        return this;
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The pid of the current (or last) run. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("node process was never started [node=" + id() + "]");
        }
        return process.pid();
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook runs, the lease expires after its TTL. Waits for the exit. */
    public synchronized void kill() {
        if (!isAlive()) {
            return;
        }
        appendLog("---- harness: kill -9 " + pid() + "\n");
        process.destroyForcibly();
        awaitExit();
    }

    /**
     * SIGTERM, the clean stop (deregister, close replicas, close the etcd client), waiting for the exit.
     *
     * @return the exit code (143 = terminated by SIGTERM after the shutdown hooks ran)
     */
    public synchronized int stop() {
        if (!isAlive()) {
            return process == null ? 0 : process.exitValue();
        }
        appendLog("---- harness: kill -TERM " + pid() + "\n");
        process.destroy();
        return awaitExit();
    }

    /** SIGSTOP: the process freezes (a long GC pause or a hung host, as other nodes see it). */
    public synchronized void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public synchronized void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        if (!isAlive()) {
            throw new IllegalStateException("node process is not running [node=" + id() + ", signal=" + name + "]");
        }
        appendLog("---- harness: kill -" + name + " " + pid() + "\n");
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " failed [node=" + id() + ", pid=" + pid() + "]: "
                        + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + name + " [node=" + id() + "]", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted [node=" + id() + "]", e);
        }
    }

    private int awaitExit() {
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                appendLog("---- harness: no exit after " + STOP_TIMEOUT + ", kill -9\n");
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        removeReaper();
        return process.isAlive() ? -1 : process.exitValue();
    }

    private void removeReaper() {
        if (reaper != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException jvmShuttingDown) {
                // the hook runs anyway
            }
            reaper = null;
        }
    }

    /** Everything the node logged so far, all runs. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "(no log yet)";
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    private void appendLog(String line) {
        try {
            Files.writeString(logFile, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write node log [file=" + logFile + "]", e);
        }
    }

    /** Kills the process (a paused one too): tests end fast, and clean shutdown has its own tests. */
    @Override
    public synchronized void close() {
        kill();
    }
}
