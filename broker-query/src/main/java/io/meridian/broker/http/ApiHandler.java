package io.meridian.broker.http;

/**
 * One endpoint. Runs on the HTTP worker pool, so it may block (on storage, the master, etcd). A thrown
 * {@link io.meridian.common.error.MeridianException} becomes {@code {"error": ...}} with its code's status;
 * any other exception a 500.
 */
@FunctionalInterface
public interface ApiHandler {
    ApiResponse handle(ApiRequest request);
}
