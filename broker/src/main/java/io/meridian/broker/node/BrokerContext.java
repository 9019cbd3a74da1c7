package io.meridian.broker.node;

import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.master.MasterService;
import io.meridian.meta.store.MetaStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The parts of a starting broker that a {@link BrokerExtension} may use.
 *
 * @param config   the broker's configuration (query timeout and max groups included)
 * @param store    the etcd client
 * @param cache    the metadata cache (databases, shard leaders, nodes, routing of the home IDC)
 * @param registry the metrics registry scraped at {@code /metrics}
 * @param master   this broker's master service; null until the HTTP server is bound (it advertises that port)
 */
public record BrokerContext(BrokerNodeConfig config, MetaStore store, MetaCache cache, MeterRegistry registry,
                            Supplier<MasterService> master) {
    public BrokerContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(master, "master");
    }
}
