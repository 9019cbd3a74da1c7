package io.meridian.sql;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The open result of a cached statement handed to a JDBC client ({@link SqlEngine#query}): closing it gives the
 * statement back to the {@link StatementCache}, or closes the statement when a call on the result failed (its state
 * is then unknown).
 */
final class LeasedResultSet {
    private LeasedResultSet() {}

    static ResultSet wrap(ResultSet rs, StatementCache.Lease lease) {
        boolean[] failed = {false};
        return (ResultSet) Proxy.newProxyInstance(
                LeasedResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        if (rs.isClosed()) {
                            return null;
                        }
                        try {
                            rs.close();
                            lease.statement().setLargeMaxRows(0);
                        } catch (SQLException | RuntimeException e) {
                            failed[0] = true;
                        }
                        if (failed[0]) {
                            lease.discard();
                        } else {
                            lease.release();
                        }
                        return null;
                    }
                    try {
                        return method.invoke(rs, args);
                    } catch (InvocationTargetException e) {
                        failed[0] = true;
                        throw e.getCause();
                    }
                });
    }
}
