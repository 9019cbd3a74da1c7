package io.meridian.common.error;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards the body of a background loop (a scheduled task of any role). A {@link RuntimeException} is logged and
 * the loop runs again at its next round; a scheduled executor would otherwise cancel the task silently. An
 * {@link Error} (out of memory, a linkage error, an assertion) means the process can no longer be trusted: it is
 * stopped loudly ({@link #EXIT}: exit status 70 after the shutdown hooks, which stop child processes and give up
 * the node's etcd lease) rather than left running as a zombie that keeps its registration while serving nothing.
 */
public final class BackgroundTasks {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundTasks.class);
    /** Exit status after a fatal error in a background task (EX_SOFTWARE). */
    public static final int FATAL_EXIT_STATUS = 70;

    /** What happens after an {@link Error} in a background task. */
    @FunctionalInterface
    public interface OnFatal {
        void fatal(String task, Error error);
    }

    /** Logs and exits the JVM (shutdown hooks run, on a thread of their own so that this task need not finish). */
    public static final OnFatal EXIT = (task, error) -> {
        LOG.error("fatal error in background task {}; stopping the process so that it restarts cleanly", task, error);
        Thread exit = new Thread(() -> System.exit(FATAL_EXIT_STATUS), "meridian-fatal-exit");
        exit.start();
    };

    private BackgroundTasks() {}

    /** {@code body} guarded, stopping the process on an {@link Error}. */
    public static Runnable guarded(String task, Runnable body) {
        return guarded(task, body, EXIT);
    }

    /** {@code body} guarded, handing an {@link Error} to {@code onFatal} (tests observe it). */
    public static Runnable guarded(String task, Runnable body, OnFatal onFatal) {
        return () -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                LOG.error("background task failed; it runs again at its next round [task={}]", task, e);
            } catch (Error e) {
                onFatal.fatal(task, e);
                throw e;
            }
        };
    }
}
