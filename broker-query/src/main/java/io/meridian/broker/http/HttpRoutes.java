package io.meridian.broker.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The broker's routing table: method + path pattern -> endpoint. Patterns are literal segments and
 * {@code {name}} segments that bind one path segment, e.g. {@code /api/v1/databases/{db}}. Literal routes and
 * pattern routes are tried in the order they were added. Each route has a bounded endpoint name used as the
 * metrics label (never the raw path, which holds database names).
 *
 * <p>Threading: built before the server starts, then only read.
 */
public final class HttpRoutes {
    /** A matched route. */
    public record Match(Route route, Map<String, String> pathParams) {}

    /** One route. */
    public record Route(String method, String pattern, String endpoint, ApiHandler handler, String[] segments) {}

    private final List<Route> routes = new ArrayList<>();

    /**
     * Adds a route.
     *
     * @param method   e.g. {@code GET}
     * @param pattern  e.g. {@code /api/v1/databases/{db}}
     * @param endpoint bounded name for metrics and logs, e.g. {@code databases.describe}
     * @throws IllegalArgumentException when the same method and pattern is added twice
     */
    public HttpRoutes add(String method, String pattern, String endpoint, ApiHandler handler) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(handler, "handler");
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("invalid route pattern [pattern=" + pattern + "]: want a leading '/'");
        }
        for (Route r : routes) {
            if (r.method().equals(method) && r.pattern().equals(pattern)) {
                throw new IllegalArgumentException(
                        "route added twice [method=" + method + ", pattern=" + pattern + "]");
            }
        }
        routes.add(new Route(
                method, pattern, endpoint, handler, pattern.substring(1).split("/", -1)));
        return this;
    }

    /** The route for this method and path, if any. */
    public Optional<Match> match(String method, String path) {
        String[] parts = path.substring(path.startsWith("/") ? 1 : 0).split("/", -1);
        for (Route r : routes) {
            if (r.method().equals(method)) {
                Map<String, String> params = bind(r.segments(), parts);
                if (params != null) {
                    return Optional.of(new Match(r, params));
                }
            }
        }
        return Optional.empty();
    }

    /** Whether some route has this path under another method (then the answer is 405, not 404). */
    public boolean hasPath(String path) {
        String[] parts = path.substring(path.startsWith("/") ? 1 : 0).split("/", -1);
        return routes.stream().anyMatch(r -> bind(r.segments(), parts) != null);
    }

    private static Map<String, String> bind(String[] pattern, String[] parts) {
        if (pattern.length != parts.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new HashMap<>();
                }
                params.put(p.substring(1, p.length() - 1), parts[i]);
            } else if (!p.equals(parts[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }
}
