package io.meridian.meta.master;

import io.meridian.common.model.IntervalSpec;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.cache.SnapshotDecoder;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.ShardId;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.WriteConcern;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.registry.NodeRegistrar;
import io.meridian.meta.registry.ReportBuilder;
import io.meridian.meta.store.MetaRange;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small Meridian cluster in one JVM, each node with its own etcd client as if it were its own process:
 * storage nodes (registrar + cache + reports) and brokers (master service + routing cache).
 */
final class ClusterFixture implements AutoCloseable {
    static final Duration TTL = Duration.ofSeconds(2);
    static final String ROOT = "/meridian";
    static final MasterOptions MASTER = new MasterOptions(
            TTL,
            Duration.ofMillis(100),
            Duration.ofMillis(300),
            Duration.ofMillis(1500),
            new PlannerOptions(Duration.ofHours(1)));

    private final String endpoint;
    private final Path dir;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    ClusterFixture(String endpoint, Path dir) {
        this.endpoint = endpoint;
        this.dir = dir;
    }

    MetaStore client() {
        MetaStore store = MetaStore.connect(
                new MetaStoreOptions(List.of(endpoint), ROOT, Duration.ofSeconds(2), Duration.ofMillis(200)));
        closeables.add(store);
        return store;
    }

    static DatabaseConfig db(String name, int shards, int replicas) {
        return new DatabaseConfig(
                name,
                shards,
                replicas,
                WriteConcern.MAJORITY,
                List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("5m", "180d")),
                List.of("c1"));
    }

    /** A storage node: registers, follows metadata, reports its replicas with their sequences. */
    final class Storage implements AutoCloseable {
        final String id;
        final MetaCache cache;
        final NodeRegistrar registrar;
        final Map<ShardId, Long> seqs = new ConcurrentHashMap<>();
        private volatile List<ShardState> reported = List.of();

        Storage(String id, int port) {
            this.id = id;
            MetaStore store = client();
            cache = new MetaCache(store, dir.resolve(id), "idc1");
            NodeInfo self =
                    new NodeInfo(id, NodeRole.STORAGE, "127.0.0.1", port, 0, "idc1", "c1", "test", Instant.now());
            registrar = new NodeRegistrar(
                    store,
                    self,
                    TTL,
                    () -> ReportBuilder.build(id, cache.snapshot(), sid -> seqs.getOrDefault(sid, 0L)));
            cache.addListener(this::onMetadata);
            cache.start();
            registrar.start();
            closeables.add(this);
        }

        private void onMetadata(MetaSnapshot s) {
            List<ShardState> mine = s.replicasOf(id);
            if (!mine.equals(reported)) {
                reported = mine;
                registrar.reportChanged();
            }
        }

        /** The replica of {@code shard} on this node persisted up to {@code seq}. */
        void persisted(ShardId shard, long seq) {
            seqs.put(shard, seq);
            registrar.reportChanged();
        }

        @Override
        public void close() {
            registrar.close();
            cache.close();
        }
    }

    /** A broker: candidate master plus a routing cache with an on-disk snapshot. */
    final class Broker implements AutoCloseable {
        final String id;
        final MasterService master;
        final MetaCache cache;
        final NodeRegistrar registrar;

        Broker(String id, int port) {
            this.id = id;
            MetaStore store = client();
            NodeInfo self = new NodeInfo(
                    id, NodeRole.BROKER, "127.0.0.1", port, port + 1000, "idc1", "c1", "test", Instant.now());
            registrar = new NodeRegistrar(store, self, TTL, () -> NodeReport.empty(id)).start();
            master = new MasterService(store, id, self.address(), MASTER, Clock.systemUTC()).start();
            cache = new MetaCache(client(), dir.resolve(id), "idc1").start();
            closeables.add(this);
        }

        @Override
        public void close() {
            master.close();
            cache.close();
            registrar.close();
        }
    }

    Storage storage(String id, int port) {
        return new Storage(id, port);
    }

    Broker broker(String id, int port) {
        return new Broker(id, port);
    }

    /** What etcd holds right now, decoded. */
    static MetaSnapshot truth(MetaStore store) {
        MetaRange r = store.range(store.keys().all());
        return SnapshotDecoder.decode(store.keys(), r.entries(), r.revision());
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        closeables.clear();
        if (first != null) {
            throw first;
        }
    }
}
