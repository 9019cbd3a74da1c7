package io.meridian.sql;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * A Calcite connection as JDBC clients get it (through Avatica): statements take Meridian's SQL ({@code FIRST(x)}
 * and {@code LAST(x)}, see {@link FunctionNames}) and fail with the same error texts as {@code POST /api/v1/sql}
 * (position, reason, name hints), because both go through {@link SqlEngine#error}. A plain statement's
 * {@code execute(sql)} / {@code executeQuery(sql)} (what Avatica runs for a client's {@code Statement}) goes through
 * the engine's own path ({@link SqlEngine#query}): the same literal lifting and shared plan cache as HTTP. A
 * client's {@code PreparedStatement} has its own parameters and is planned once by Calcite, as prepared.
 */
final class SessionConnection {
    private static final Set<String> TAKES_SQL = Set.of(
            "prepareStatement",
            "prepareCall",
            "nativeSQL",
            "execute",
            "executeQuery",
            "executeUpdate",
            "executeLargeUpdate",
            "addBatch");

    private SessionConnection() {}

    static Connection wrap(Connection c, SqlEngine engine) {
        return (Connection) Proxy.newProxyInstance(
                SessionConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                handler(c, engine, c, null));
    }

    /**
     * @param connection   the connection whose current schema is the database errors are hinted against (a JDBC
     *                     client may set it after connecting)
     * @param statementSql the SQL of a prepared statement (its executions fail naming it), else null
     */
    private static InvocationHandler handler(
            Object target, SqlEngine engine, Connection connection, String statementSql) {
        return (proxy, method, args) -> {
            String sql = statementSql;
            if (args != null
                    && args.length > 0
                    && args[0] instanceof String text
                    && TAKES_SQL.contains(method.getName())) {
                sql = text;
                args[0] = FunctionNames.rewrite(text);
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (sql != null && (cause instanceof SQLException || cause instanceof RuntimeException)) {
                    String message =
                            engine.error(cause, sql, schemaOf(connection)).getMessage();
                    // no cause: Avatica sends a remote error's whole cause chain to the client, and Calcite's parse
                    // error lists every token it expected (a hundred lines under the one that says what to do)
                    throw new SQLException(message, cause instanceof SQLException s ? s.getSQLState() : null);
                }
                throw cause;
            }
            if (result instanceof PreparedStatement ps && method.getReturnType() == PreparedStatement.class) {
                return Proxy.newProxyInstance(
                        SessionConnection.class.getClassLoader(),
                        new Class<?>[] {PreparedStatement.class},
                        handler(ps, engine, connection, sql));
            }
            if (result instanceof Statement s && method.getReturnType() == Statement.class) {
                return Proxy.newProxyInstance(
                        SessionConnection.class.getClassLoader(),
                        new Class<?>[] {Statement.class},
                        new CachedStatement(s, engine, connection, handler(s, engine, connection, null)));
            }
            return result;
        };
    }

    /**
     * A plain statement whose queries run through the engine's plan cache; its other calls go to Calcite's
     * statement. It holds the result of its last query until the next one or its close, as JDBC's do.
     */
    private static final class CachedStatement implements InvocationHandler {
        private final Statement target;
        private final SqlEngine engine;
        private final Connection connection;
        private final InvocationHandler other;
        private ResultSet current;
        private long maxRows;

        CachedStatement(Statement target, SqlEngine engine, Connection connection, InvocationHandler other) {
            this.target = target;
            this.engine = engine;
            this.connection = connection;
            this.other = other;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            boolean query = (name.equals("execute") || name.equals("executeQuery"))
                    && args != null
                    && args.length == 1
                    && args[0] instanceof String;
            if (query) {
                closeCurrent();
                try {
                    current = engine.query(schemaOf(connection), (String) args[0], maxRows);
                } catch (MeridianException e) {
                    throw new SQLException(e.getMessage(), e instanceof InvalidInputException ? "42000" : null);
                }
                return name.equals("execute") ? Boolean.TRUE : current;
            }
            switch (name) {
                case "getResultSet" -> {
                    return current != null ? current : other.invoke(proxy, method, args);
                }
                case "getUpdateCount" -> {
                    return current != null ? -1 : other.invoke(proxy, method, args);
                }
                case "getLargeUpdateCount" -> {
                    return current != null ? -1L : other.invoke(proxy, method, args);
                }
                case "getMoreResults" -> {
                    if (current != null) {
                        closeCurrent();
                        return false;
                    }
                    return other.invoke(proxy, method, args);
                }
                case "setMaxRows", "setLargeMaxRows" -> maxRows = ((Number) args[0]).longValue();
                case "close" -> closeCurrent();
                default -> {}
            }
            return other.invoke(proxy, method, args);
        }

        private void closeCurrent() throws SQLException {
            if (current != null) {
                ResultSet r = current;
                current = null;
                r.close();
            }
        }
    }

    private static String schemaOf(Connection c) {
        try {
            return c.getSchema();
        } catch (SQLException e) {
            return null; // no hint then: the error itself still names what and where
        }
    }
}
