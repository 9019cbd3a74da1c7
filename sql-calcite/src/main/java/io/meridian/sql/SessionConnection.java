package io.meridian.sql;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * A Calcite connection as JDBC clients get it (through Avatica): statements take Meridian's SQL ({@code FIRST(x)}
 * and {@code LAST(x)}, see {@link FunctionNames}) and fail with the same error texts as {@code POST /api/v1/sql}
 * (position, reason, name hints), because both go through {@link SqlEngine#error}.
 */
final class SessionConnection {
    private static final Set<String> TAKES_SQL = Set.of("prepareStatement", "prepareCall", "nativeSQL", "execute",
            "executeQuery", "executeUpdate", "executeLargeUpdate", "addBatch");

    private SessionConnection() {}

    static Connection wrap(Connection c, SqlEngine engine) {
        return (Connection) Proxy.newProxyInstance(SessionConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler(c, engine, c, null));
    }

    /**
     * @param connection   the connection whose current schema is the database errors are hinted against (a JDBC
     *                     client may set it after connecting)
     * @param statementSql the SQL of a prepared statement (its executions fail naming it), else null
     */
    private static InvocationHandler handler(Object target, SqlEngine engine, Connection connection, String statementSql) {
        return (proxy, method, args) -> {
            String sql = statementSql;
            if (args != null && args.length > 0 && args[0] instanceof String text && TAKES_SQL.contains(method.getName())) {
                sql = text;
                args[0] = FunctionNames.rewrite(text);
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (sql != null && (cause instanceof SQLException || cause instanceof RuntimeException)) {
                    String message = engine.error(cause, sql, schemaOf(connection)).getMessage();
                    // no cause: Avatica sends a remote error's whole cause chain to the client, and Calcite's parse
                    // error lists every token it expected (a hundred lines under the one that says what to do)
                    throw new SQLException(message, cause instanceof SQLException s ? s.getSQLState() : null);
                }
                throw cause;
            }
            if (result instanceof PreparedStatement ps && method.getReturnType() == PreparedStatement.class) {
                return Proxy.newProxyInstance(SessionConnection.class.getClassLoader(),
                        new Class<?>[] {PreparedStatement.class}, handler(ps, engine, connection, sql));
            }
            if (result instanceof Statement s && method.getReturnType() == Statement.class) {
                return Proxy.newProxyInstance(SessionConnection.class.getClassLoader(), new Class<?>[] {Statement.class},
                        handler(s, engine, connection, null));
            }
            return result;
        };
    }

    private static String schemaOf(Connection c) {
        try {
            return c.getSchema();
        } catch (SQLException e) {
            return null; // no hint then: the error itself still names what and where
        }
    }
}
