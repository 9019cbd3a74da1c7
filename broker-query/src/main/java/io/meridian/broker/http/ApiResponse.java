package io.meridian.broker.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an endpoint answers: a status and a body (JSON unless said otherwise), or no body (204).
 *
 * @param status      HTTP status
 * @param body        the body, null for none
 * @param contentType the body's content type, null for none
 * @param bytes       a binary body instead of {@code body} (e.g. Avatica's protobuf), null for none
 * @param headers     further response headers (e.g. {@code Content-Encoding}, {@code X-Meridian-Skipped-*})
 */
public record ApiResponse(int status, String body, String contentType, byte[] bytes, Map<String, String> headers) {
    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public ApiResponse(int status, String body, String contentType, byte[] bytes) {
        this(status, body, contentType, bytes, Map.of());
    }

    public ApiResponse(int status, String body, String contentType) {
        this(status, body, contentType, null);
    }

    /** This response with one more header. */
    public ApiResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, body, contentType, bytes, h);
    }

    /** A binary body. */
    public static ApiResponse binary(int status, byte[] bytes, String contentType) {
        return new ApiResponse(status, null, contentType, bytes);
    }

    public static final String JSON_TYPE = "application/json";
    static final ObjectMapper JSON = JsonMapper.builder()
            // doubles by Schubfach: the shortest repr, and a fraction of Double.toString's cost (a 12,000-row answer
            // spent 2.4 ms in it); JDK 17's Double.toString is sometimes not the shortest
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    /** A JSON body: {@code value} is serialised with Jackson (maps, lists, records, strings, numbers). */
    public static ApiResponse json(int status, Object value) {
        Objects.requireNonNull(value, "value");
        try {
            return new ApiResponse(status, JSON.writeValueAsString(value), JSON_TYPE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "BUG: cannot serialise a response [type=" + value.getClass().getSimpleName() + "]", e);
        }
    }

    /** An already serialised JSON body. */
    public static ApiResponse rawJson(int status, String json) {
        return new ApiResponse(status, json, JSON_TYPE);
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null, null);
    }

    /** {@code {"error": message}}. */
    public static ApiResponse error(int status, String message) {
        return json(status, Map.of("error", message));
    }

    public static ApiResponse text(int status, String body, String contentType) {
        return new ApiResponse(status, body, contentType);
    }
}
