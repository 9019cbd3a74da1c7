package io.meridian.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Planned statements kept for reuse by every thread: the same (normalized) SQL text on the same database is
 * parsed, validated, optimized and compiled once, then only executed, whichever HTTP worker or JDBC connection
 * runs it next. A Calcite prepared statement is not thread-safe, so a statement is checked out for one execution
 * ({@link #checkout}) and given back ({@link Lease#release}); concurrent runs of one text use one planned copy
 * each, planned on their first concurrent use. Each copy has its own Calcite connection, so copies never share
 * mutable state.
 *
 * <p>Values that depend on the time of the run ({@code now()}) are resolved at execution, so a cached plan stays
 * right. A copy is kept at most {@code maxAgeNanos}, which bounds how long a plan may miss a metric, field or
 * database created after it was planned; at most {@code capacity} idle copies are kept in all (beyond that a
 * given-back copy is closed).
 *
 * <p>Thread-safe.
 */
final class StatementCache {
    /** Opens a fresh connection for a database (null = no default schema). */
    @FunctionalInterface
    interface Connector {
        Connection connect(String database) throws SQLException;
    }

    private record Entry(String key, Connection connection, PreparedStatement statement, long createdNanos) {}

    private final int capacity;
    private final long maxAgeNanos;
    private final Map<String, Deque<Entry>> idle = new ConcurrentHashMap<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    StatementCache(int capacity, long maxAgeNanos) {
        this.capacity = capacity;
        this.maxAgeNanos = maxAgeNanos;
    }

    /** One checked-out statement: run it, then {@link #release} it, or {@link #discard} it after a failure. */
    final class Lease {
        private final Entry entry;
        private boolean done;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        PreparedStatement statement() {
            return entry.statement();
        }

        /** Gives the statement back for the next run of its text. */
        void release() {
            if (!done) {
                done = true;
                giveBack(entry);
            }
        }

        /** Closes the statement (its state is unknown after a failure); the next run plans the text again. */
        void discard() {
            if (!done) {
                done = true;
                close(entry);
            }
        }
    }

    /** A planned statement for {@code sql} on {@code database}: an idle copy, or one planned now. */
    Lease checkout(String database, String sql, Connector connector) throws SQLException {
        String key = database + '\n' + sql;
        long now = System.nanoTime();
        Deque<Entry> copies = idle.get(key);
        if (copies != null) {
            for (Entry e = copies.pollFirst(); e != null; e = copies.pollFirst()) {
                idleCount.decrementAndGet();
                if (now - e.createdNanos() < maxAgeNanos) {
                    return new Lease(e);
                }
                close(e);
            }
            idle.computeIfPresent(key, (k, d) -> d.isEmpty() ? null : d);
        }
        Connection c = connector.connect(database);
        try {
            return new Lease(new Entry(key, c, c.prepareStatement(sql), now));
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** Idle copies in all (for tests and metrics). */
    int idleCount() {
        return idleCount.get();
    }

    private void giveBack(Entry e) {
        if (System.nanoTime() - e.createdNanos() >= maxAgeNanos) {
            close(e);
            return;
        }
        if (idleCount.incrementAndGet() > capacity) {
            idleCount.decrementAndGet();
            close(e);
            return;
        }
        // adding and dropping an empty deque (checkout) both run under the map's lock of the key
        idle.compute(e.key(), (k, copies) -> {
            Deque<Entry> d = copies == null ? new ConcurrentLinkedDeque<>() : copies;
            d.addFirst(e);
            return d;
        });
    }

    private static void close(Entry e) {
        try {
            e.statement().close();
        } catch (SQLException ignored) {
            // already unusable
        }
        closeQuietly(e.connection());
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // a connection that cannot close holds nothing we need
        }
    }
}
