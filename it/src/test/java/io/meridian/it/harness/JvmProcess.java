package io.meridian.it.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A JVM this test starts with its own main class, class path and arguments (a Flink JobManager, TaskManager or
 * {@code flink run}), stdout and stderr appended to one log file. A JVM shutdown hook kills it if the test JVM
 * dies first, so an aborted run leaves no orphan; {@link #close()} kills it and waits for the exit.
 *
 * <p>Threading: all methods are {@code synchronized}.
 */
public final class JvmProcess implements AutoCloseable {
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private final Path logFile;
    private final Process process;
    private Thread reaper;

    private JvmProcess(String name, Path logFile, Process process) {
        this.name = name;
        this.logFile = logFile;
        this.process = process;
    }

    /**
     * Starts {@code java jvmOptions -cp classPath main args} with {@code env} added to this JVM's environment.
     * Returns at once.
     */
    public static JvmProcess start(
            String name,
            List<String> jvmOptions,
            String classPath,
            String main,
            List<String> args,
            Map<String, String> env,
            Path logFile) {
        Objects.requireNonNull(name, "name");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main);
        cmd.addAll(args);
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(
                    logFile,
                    "---- harness: " + String.join(" ", jvmOptions) + " -cp <"
                            + classPath.split(File.pathSeparator).length + " entries> " + main + " "
                            + String.join(" ", args) + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            pb.environment().putAll(env);
            JvmProcess p = new JvmProcess(name, logFile, pb.start());
            p.reaper = new Thread(p.process::destroyForcibly, "it-jvm-reaper-" + name);
            Runtime.getRuntime().addShutdownHook(p.reaper);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot start process [name=" + name + ", main=" + main + ", log=" + logFile + "]", e);
        }
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits up to {@code timeout} for the process to exit by itself.
     *
     * @return the exit code
     * @throws IllegalStateException when it is still running after {@code timeout} (it is killed then)
     */
    public synchronized int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new IllegalStateException(
                        "process did not exit within " + timeout + ", killed [name=" + name + ", log=" + logFile + "]");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while waiting for process [name=" + name + "]", e);
        }
        removeReaper();
        return process.exitValue();
    }

    /** Everything the process logged so far. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "(no log yet)";
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** SIGKILL and wait for the exit: tests end fast; nothing here depends on a clean shutdown. */
    @Override
    public synchronized void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        removeReaper();
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
}
