package io.meridian.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Planned statements kept for reuse, per thread (a Calcite connection and its statements are not thread-safe):
 * the same SQL text on the same database is parsed, validated, optimized and compiled once, then only executed.
 * Values that depend on the time of the run ({@code now()}) are resolved at execution, so a cached plan stays
 * right. Entries and connections expire after {@code maxAgeNanos}, which bounds how long a plan may miss a
 * metric, field or database created after it was planned.
 *
 * <p>Not thread-safe by design: one instance per thread (see {@link SqlEngine}).
 */
final class StatementCache {
    private record Entry(PreparedStatement statement, long createdNanos) {}

    private record Conn(Connection connection, long createdNanos) {}

    /** Opens a fresh connection for a database (null = no default schema). */
    @FunctionalInterface
    interface Connector {
        Connection connect(String database) throws SQLException;
    }

    private final int capacity;
    private final long maxAgeNanos;
    private final Map<String, Conn> connections = new HashMap<>();
    private final LinkedHashMap<String, Entry> statements = new LinkedHashMap<>(16, 0.75f, true);

    StatementCache(int capacity, long maxAgeNanos) {
        this.capacity = capacity;
        this.maxAgeNanos = maxAgeNanos;
    }

    /** The prepared statement for {@code sql} on {@code database}, planned now if not cached (or expired). */
    PreparedStatement get(String database, String sql, Connector connector) throws SQLException {
        String key = database + '\n' + sql;
        long now = System.nanoTime();
        Entry e = statements.get(key);
        if (e != null && now - e.createdNanos() < maxAgeNanos) {
            return e.statement();
        }
        if (e != null) {
            discard(key);
        }
        Conn c = connections.get(database);
        if (c == null || now - c.createdNanos() >= maxAgeNanos) {
            if (c != null) {
                closeConnection(database);
            }
            c = new Conn(connector.connect(database), now);
            connections.put(database, c);
        }
        PreparedStatement ps = c.connection().prepareStatement(sql);
        statements.put(key, new Entry(ps, now));
        if (statements.size() > capacity) {
            Iterator<Map.Entry<String, Entry>> eldest = statements.entrySet().iterator();
            close(eldest.next().getValue().statement());
            eldest.remove();
        }
        return ps;
    }

    /** Drops a statement (after a failure: its state is unknown). */
    void discard(String database, String sql) {
        discard(database + '\n' + sql);
    }

    private void discard(String key) {
        Entry e = statements.remove(key);
        if (e != null) {
            close(e.statement());
        }
    }

    private void closeConnection(String database) {
        statements.entrySet().removeIf(en -> {
            if (en.getKey().startsWith(database + '\n')) {
                close(en.getValue().statement());
                return true;
            }
            return false;
        });
        Conn c = connections.remove(database);
        if (c != null) {
            try {
                c.connection().close();
            } catch (SQLException ignored) {
                // a connection that cannot close holds nothing we need
            }
        }
    }

    private static void close(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException ignored) {
            // already unusable
        }
    }
}
