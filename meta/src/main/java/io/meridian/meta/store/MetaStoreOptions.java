package io.meridian.meta.store;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to reach etcd.
 *
 * @param endpoints etcd client URLs, e.g. {@code http://127.0.0.1:2379}
 * @param root the root prefix every Meridian key lives under, e.g. {@code /meridian}
 * @param operationTimeout the bound on one etcd call; past it the call fails with MetaUnavailableException
 * @param watchCheckInterval how often a watch checks that etcd was not wiped under it
 */
public record MetaStoreOptions(
        List<String> endpoints, String root, Duration operationTimeout, Duration watchCheckInterval) {
    public static final String DEFAULT_ROOT = "/meridian";
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_WATCH_CHECK_INTERVAL = Duration.ofSeconds(1);

    public MetaStoreOptions {
        endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("invalid meta store options: no etcd endpoints");
        }
        Objects.requireNonNull(root, "root");
        if (!root.startsWith("/") || root.endsWith("/") || root.length() < 2) {
            throw new IllegalArgumentException("invalid meta root prefix [root=" + root
                    + "]: want a path like /meridian (leading '/', no trailing '/')");
        }
        Objects.requireNonNull(operationTimeout, "operationTimeout");
        Objects.requireNonNull(watchCheckInterval, "watchCheckInterval");
    }

    public static MetaStoreOptions of(String endpoint, String root) {
        return new MetaStoreOptions(List.of(endpoint), root, DEFAULT_OPERATION_TIMEOUT, DEFAULT_WATCH_CHECK_INTERVAL);
    }

    public MetaStoreOptions withOperationTimeout(Duration timeout) {
        return new MetaStoreOptions(endpoints, root, timeout, watchCheckInterval);
    }

    public MetaStoreOptions withWatchCheckInterval(Duration interval) {
        return new MetaStoreOptions(endpoints, root, operationTimeout, interval);
    }
}
