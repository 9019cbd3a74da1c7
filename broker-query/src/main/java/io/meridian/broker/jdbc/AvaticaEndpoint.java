package io.meridian.broker.jdbc;

import io.meridian.broker.http.ApiRequest;
import io.meridian.broker.http.ApiResponse;
import io.meridian.broker.http.HttpRoutes;
import io.meridian.sql.SqlEngine;
import java.sql.SQLException;
import java.util.Properties;
import java.util.UUID;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.metrics.noop.NoopMetricsSystem;
import org.apache.calcite.avatica.remote.Handler;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.remote.ProtobufHandler;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;

/**
 * {@code POST /avatica}: Avatica's remote JDBC protocol (protobuf serialization) on the broker's HTTP port, the
 * server side of {@code jdbc:meridian://host:port/db}. Connection and statement state live in this broker
 * (Avatica's {@code JdbcMeta} caches, with its default expiry), so a client stays on one broker.
 */
public final class AvaticaEndpoint implements AutoCloseable {
    private static final String PROTOBUF = "application/octet-stream";

    private final String id = UUID.randomUUID().toString();
    private final ProtobufHandler handler;

    public AvaticaEndpoint(SqlEngine engine) {
        String url = EngineDriver.register(id, engine);
        try {
            JdbcMeta meta = new JdbcMeta(url, new Properties());
            this.handler = new ProtobufHandler(
                    new LocalService(meta), new ProtobufTranslationImpl(), NoopMetricsSystem.getInstance());
        } catch (SQLException e) {
            EngineDriver.unregister(id);
            throw new IllegalStateException("BUG: cannot set up the Avatica service [url=" + url + "]", e);
        }
    }

    public void register(HttpRoutes routes) {
        routes.add("POST", "/avatica", "avatica", this::handle);
    }

    private ApiResponse handle(ApiRequest request) {
        Handler.HandlerResponse<byte[]> r = handler.apply(request.body());
        return ApiResponse.binary(r.getStatusCode(), r.getResponse(), PROTOBUF);
    }

    @Override
    public void close() {
        EngineDriver.unregister(id);
    }
}
