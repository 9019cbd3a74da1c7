package io.meridian.broker.http;

import io.meridian.common.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTP request as an endpoint sees it: already aggregated (and gzip-decoded), its route matched.
 *
 * @param method      upper-case method, e.g. {@code POST}
 * @param path        the decoded path without the query string
 * @param uri         the raw request URI (path and query), for forwarding
 * @param pathParams  values of the route's {@code {name}} segments
 * @param query       query-string parameters
 * @param headers     request headers (lower-case names, first value)
 * @param body        the body, empty when none
 * @param receivedMs  when the request arrived (wall clock)
 * @param clientGone  completes when the client's connection closes (a long request may stop early then)
 */
public record ApiRequest(
        String method,
        String path,
        String uri,
        Map<String, String> pathParams,
        Map<String, List<String>> query,
        Map<String, String> headers,
        byte[] body,
        long receivedMs,
        CompletableFuture<Void> clientGone) {
    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(uri, "uri");
        pathParams = Map.copyOf(pathParams);
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(clientGone, "clientGone");
    }

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** A path segment bound by the route. */
    public String pathParam(String name) {
        String v = pathParams.get(name);
        if (v == null) {
            throw new IllegalStateException("BUG: route has no path parameter [name=" + name + ", path=" + path + "]");
        }
        return v;
    }

    /** A header by its lower-case name, or null. */
    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** @throws InvalidInputException when the body is empty */
    public byte[] requireBody() {
        if (body.length == 0) {
            throw new InvalidInputException("missing request body [method=" + method + ", path=" + path + "]");
        }
        return body;
    }
}
