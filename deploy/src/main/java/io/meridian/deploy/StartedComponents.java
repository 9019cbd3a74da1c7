package io.meridian.deploy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a launcher (standalone, {@code cluster up}) started so far, stopped in reverse order (the first started,
 * etcd, last) by {@link #close()} or by a JVM shutdown hook registered before anything starts: a SIGTERM or Ctrl-C at
 * any moment of a start-up, not only once it is ready, stops every child process instead of orphaning it.
 *
 * <p>Thread-safe: the hook may run while the launching thread is still starting components; one started after the
 * close began is stopped at once and {@link #add} fails, so the start-up ends.
 */
final class StartedComponents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StartedComponents.class);

    private final String name;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;
    private boolean closing;

    /** Registers the shutdown hook; {@code name} appears in its thread name and the logs. */
    StartedComponents(String name) {
        this.name = name;
        this.hook = new Thread(this::stopAll, name.replace(' ', '-').toLowerCase(Locale.ROOT) + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Records a component that has started: it is stopped before every one added earlier.
     *
     * @throws IllegalStateException when the launcher is already stopping (the component was stopped again)
     */
    <T extends AutoCloseable> T add(T component) {
        synchronized (this) {
            if (!closing) {
                started.addFirst(component);
                return component;
            }
        }
        closeQuietly(component);
        throw new IllegalStateException(name + " is stopping; start-up abandoned");
    }

    /** Stops everything started, latest first; later calls wait for the first one to finish. */
    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook's JVM shutdown: nothing to remove
        }
    }

    private void stopAll() {
        List<AutoCloseable> order;
        synchronized (this) {
            if (closing) {
                order = null;
            } else {
                closing = true;
                order = new ArrayList<>(started);
            }
        }
        if (order == null) {
            awaitClosed(Duration.ofMinutes(2));
            return;
        }
        LOG.info("stopping {} [components={}]", name, order.size());
        for (AutoCloseable c : order) {
            closeQuietly(c);
        }
        closed.countDown();
    }

    private void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("a component of {} did not stop cleanly", name, e);
        }
    }

    /** Waits until {@link #close()} (or the shutdown hook) finished; false on timeout. */
    boolean awaitClosed(Duration timeout) {
        try {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
