package io.meridian.broker.node;

import io.grpc.BindableService;
import io.meridian.broker.http.HttpRoutes;
import java.util.List;

/**
 * What a component adds to a broker at start (the distributed-query engine, the SQL endpoint): gRPC services
 * served on {@code broker.grpc.port} and HTTP routes on {@code broker.http.port}. Both are asked once, during
 * {@link BrokerNode#start(BrokerNodeConfig, BrokerExtension)}, before the servers bind; the context gives the
 * broker's parts the contributions need.
 */
public interface BrokerExtension {
    /** gRPC services to serve; none by default. */
    default List<BindableService> grpcServices(BrokerContext context) {
        return List.of();
    }

    /**
     * Adds HTTP routes, e.g. {@code routes.add("POST", "/api/v1/sql", "sql", request -> ApiResponse.json(200,
     * result))}. A route's handler runs on the HTTP worker pool and may block. None by default.
     */
    default void routes(HttpRoutes routes, BrokerContext context) {}
}
