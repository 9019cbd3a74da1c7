package io.meridian.broker.jdbc;

import io.meridian.sql.SqlEngine;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * An in-process JDBC driver ({@code jdbc:meridian-engine:<id>}) that hands out the SQL engine's Calcite
 * connections, so that Avatica's {@code JdbcMeta} can serve them; the {@code schema} property (set by the
 * client driver from {@code jdbc:meridian://host:port/db}) picks the default database. One id per broker, so
 * that several brokers may run in one JVM (tests).
 */
final class EngineDriver implements Driver {
    static final String PREFIX = "jdbc:meridian-engine:";
    private static final Map<String, SqlEngine> ENGINES = new ConcurrentHashMap<>();
    private static final EngineDriver INSTANCE = new EngineDriver();

    static {
        try {
            DriverManager.registerDriver(INSTANCE);
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Makes {@code engine} reachable at the returned URL until {@link #unregister}. */
    static String register(String id, SqlEngine engine) {
        ENGINES.put(id, engine);
        return PREFIX + id;
    }

    static void unregister(String id) {
        ENGINES.remove(id);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        SqlEngine engine = ENGINES.get(url.substring(PREFIX.length()));
        if (engine == null) {
            throw new SQLException("the SQL engine is closed [url=" + url + "]", "08003");
        }
        String schema = info == null ? null : info.getProperty("schema");
        try {
            return engine.connect(schema == null || schema.isEmpty() ? null : schema);
        } catch (RuntimeException e) {
            throw new SQLException(e.getMessage(), "08004", e);
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging here");
    }
}
