package io.meridian.meta.store;

import io.meridian.common.error.MetaUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for one jetcd future with a bound, turning every failure into {@link MetaUnavailableException}. */
final class EtcdCalls {
    private EtcdCalls() {}

    static <T> T await(CompletableFuture<T> future, Duration timeout, String op, String key, String endpoints) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw unavailable(op, key, endpoints, "no answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw unavailable(op, key, endpoints, String.valueOf(cause.getMessage()), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(op, key, endpoints, "interrupted", e);
        }
    }

    static MetaUnavailableException unavailable(
            String op, String key, String endpoints, String reason, Throwable cause) {
        return new MetaUnavailableException(
                "metadata store unavailable [op=" + op + ", key=" + key
                        + ", endpoints=" + endpoints + "]: " + reason
                        + "; metadata changes are refused until etcd is reachable, cached metadata stays readable",
                cause);
    }
}
