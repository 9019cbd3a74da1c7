package io.meridian.meta.store;

import static io.meridian.common.config.ConfigTypes.STRING;
import static io.meridian.common.config.ConfigTypes.STRING_LIST;
import static io.meridian.common.config.ConfigTypes.durationAtLeast;

import io.meridian.common.config.Config;
import io.meridian.common.config.ConfigOption;
import java.time.Duration;
import java.util.List;

/**
 * The {@code meta.*} configuration keys every role shares (how a node reaches etcd), and reading them into
 * {@link MetaStoreOptions}. Roles list these options in their own definitions; docs/configuration.md documents
 * them once per role.
 */
public final class MetaConfigKeys {
    public static final ConfigOption<List<String>> ENDPOINTS = ConfigOption.of(
            "meta.etcd.endpoints",
            STRING_LIST,
            List.of("http://127.0.0.1:2379"),
            "etcd client URLs (a list, or comma-separated).");
    public static final ConfigOption<String> ROOT = ConfigOption.of(
            "meta.root", STRING, MetaStoreOptions.DEFAULT_ROOT, "Root prefix of every Meridian key in etcd.");
    public static final ConfigOption<Duration> OPERATION_TIMEOUT = ConfigOption.of(
            "meta.operation-timeout",
            durationAtLeast(Duration.ofMillis(1)),
            MetaStoreOptions.DEFAULT_OPERATION_TIMEOUT,
            "Bound on one etcd call.");
    public static final ConfigOption<Duration> LEASE_TTL = ConfigOption.of(
            "meta.lease-ttl",
            durationAtLeast(Duration.ofSeconds(1)),
            Duration.ofSeconds(10),
            "TTL of the node's etcd lease: a node that stops refreshing it is considered lost after this long."
                    + " Whole seconds.");

    /** The four keys, for a role's definition. */
    public static final List<ConfigOption<?>> ALL = List.of(ENDPOINTS, ROOT, OPERATION_TIMEOUT, LEASE_TTL);

    private MetaConfigKeys() {}

    /**
     * The etcd client options of a parsed configuration, after checking that the lease TTL is whole seconds.
     *
     * @throws io.meridian.common.config.ConfigException naming the key that is wrong
     */
    public static MetaStoreOptions storeOptions(Config c) {
        requireWholeSeconds(c, LEASE_TTL);
        try {
            return new MetaStoreOptions(
                    c.get(ENDPOINTS),
                    c.get(ROOT),
                    c.get(OPERATION_TIMEOUT),
                    MetaStoreOptions.DEFAULT_WATCH_CHECK_INTERVAL);
        } catch (IllegalArgumentException e) {
            throw c.invalid(ROOT, e.getMessage());
        }
    }

    /** etcd leases have whole seconds: a TTL option with a fraction is a configuration error. */
    public static void requireWholeSeconds(Config c, ConfigOption<Duration> option) {
        if (c.get(option).toMillis() % 1000 != 0) {
            throw c.invalid(option, "etcd leases have whole seconds; got " + c.get(option));
        }
    }
}
