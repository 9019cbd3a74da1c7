package io.meridian.jdbc;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.apache.calcite.avatica.remote.Driver;

/**
 * The Meridian JDBC driver: {@code jdbc:meridian://host:port/db} (port defaults to 8080, the broker's HTTP port).
 * It is Avatica's remote driver speaking protobuf to the broker's {@code /avatica} endpoint; the path names the
 * default schema (database). Extra Avatica options may follow as {@code ?key=value&...}.
 *
 * <pre>
 *   try (Connection c = DriverManager.getConnection("jdbc:meridian://127.0.0.1:8080/metrics");
 *        PreparedStatement ps = c.prepareStatement("SELECT host, MAX(usage) FROM cpu WHERE dc = ? GROUP BY host")) {
 *       ps.setString(1, "eu");
 *       ...
 *   }
 * </pre>
 */
public final class MeridianDriver extends Driver {
    public static final String PREFIX = "jdbc:meridian:";
    /** The broker's HTTP path of the Avatica protocol. */
    public static final String ENDPOINT = "/avatica";

    static {
        try {
            DriverManager.registerDriver(new MeridianDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    protected String getConnectStringPrefix() {
        return PREFIX;
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (url == null || !url.startsWith(PREFIX)) {
            return null;
        }
        String rest = url.substring(PREFIX.length());
        if (!rest.startsWith("//")) {
            return super.connect(url, info); // Avatica's own form: jdbc:meridian:url=...;serialization=...
        }
        URI uri;
        try {
            uri = new URI("http:" + rest);
        } catch (URISyntaxException e) {
            throw new SQLException(
                    "invalid Meridian JDBC URL [url=" + url + "]: " + e.getMessage()
                            + "; want jdbc:meridian://host:port/database",
                    "08001",
                    e);
        }
        if (uri.getHost() == null) {
            throw new SQLException(
                    "invalid Meridian JDBC URL [url=" + url + "]: no host; want jdbc:meridian://host:port/database",
                    "08001");
        }
        int port = uri.getPort() < 0 ? 8080 : uri.getPort();
        Properties props = new Properties();
        if (info != null) {
            props.putAll(info);
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (!path.isEmpty()) {
            props.setProperty("schema", path);
        }
        StringBuilder avatica = new StringBuilder(PREFIX)
                .append("url=http://")
                .append(uri.getHost())
                .append(':')
                .append(port)
                .append(ENDPOINT)
                .append(";serialization=protobuf");
        if (uri.getQuery() != null) {
            for (String kv : uri.getQuery().split("&")) {
                avatica.append(';').append(kv);
            }
        }
        Connection c = super.connect(avatica.toString(), props);
        if (!path.isEmpty()) {
            c.setSchema(path); // synced to the server's connection: unqualified tables resolve in this database
        }
        return c;
    }
}
