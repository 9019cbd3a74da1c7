package io.meridian.broker.http;

import io.meridian.broker.query.DistributedQueryExecutor;
import io.meridian.broker.query.NativeQueryCodec;
import io.meridian.broker.query.QueryContext;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * {@code POST /api/v1/query}: the native JSON query (docs/queries.md), run by this broker as the root of the
 * distributed plan. The query stops (and its fragments are cancelled) when the client's connection closes.
 */
final class QueryEndpoint {
    private final DistributedQueryExecutor executor;
    private final NativeQueryCodec codec;

    QueryEndpoint(DistributedQueryExecutor executor, NativeQueryCodec codec) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    void register(HttpRoutes routes) {
        routes.add("POST", "/api/v1/query", "query", this::query);
    }

    private ApiResponse query(ApiRequest request) {
        QuerySpec spec = codec.parse(request.requireBody());
        try (QueryContext query = QueryContext.start(UUID.randomUUID().toString(), spec.timeout())) {
            request.clientGone().thenRun(query::cancelByClient);
            QueryResult result = executor.execute(spec, query);
            return ApiResponse.rawJson(200, new String(NativeQueryCodec.render(result), StandardCharsets.UTF_8));
        }
    }
}
