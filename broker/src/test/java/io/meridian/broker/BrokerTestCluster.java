package io.meridian.broker;

import static org.awaitility.Awaitility.await;

import io.meridian.common.config.ConfigTree;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.master.MasterOptions;
import io.meridian.meta.master.MasterService;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.IntervalSpec;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.model.WriteConcern;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import io.meridian.storage.node.StorageMain;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.node.StorageNodeConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small cluster in this JVM for broker tests: real etcd (the caller's), the master, three storage nodes with
 * real replication, and the broker's own metadata cache. One database {@code db} with 2 shards x 3 replicas,
 * majority write concern.
 */
public final class BrokerTestCluster implements AutoCloseable {
    public static final String DB = "db";
    public static final int SHARDS = 2;

    public final MetaStore store;
    public final MasterService master;
    public final List<StorageNode> nodes = new ArrayList<>();
    public final MetaCache cache;

    public BrokerTestCluster(EtcdProcess etcd, Path dir, String root) {
        store = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), root));
        master = new MasterService(store, "broker-1", "127.0.0.1:1", new MasterOptions(Duration.ofSeconds(2),
                Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(1), new PlannerOptions(Duration.ofHours(1))),
                Clock.systemUTC()).start();
        for (String id : List.of("s1", "s2", "s3")) {
            nodes.add(StorageNode.start(StorageNodeConfig.from(ConfigTree.parse("test", """
                    node: {id: %s, idc: idc1, cluster: c1, data-dir: '%s', report-interval: 100ms}
                    meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                    storage: {server.port: 0, memtable.size: 4MiB, block-cache.size: 4MiB,
                              replication: {ack-timeout: 2s, lag-max: 2s, fetch-wait: 200ms}}
                    """.formatted(id, dir.resolve(id), etcd.endpoint(), root))), StorageMain.CONTROLLER));
        }
        cache = new MetaCache(store, dir.resolve("broker-meta"), "idc1").start();
        // elected and the metadata initialized (cluster marker written): DDL is accepted from then on
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> master.isMaster()
                && store.get(store.keys().clusterMarker()).isPresent());
        try {
            master.createCluster(new StorageCluster("c1", "idc1"));
        } catch (InvalidInputException e) {
            if (e.code() != ErrorCode.ALREADY_EXISTS) { // the master may have rebuilt it from the nodes' reports
                throw e;
            }
        }
        master.createDatabase(new DatabaseConfig(DB, SHARDS, 3, WriteConcern.MAJORITY,
                List.of(new IntervalSpec("10s", "30d")), List.of("c1")));
        await().atMost(Duration.ofSeconds(30)).until(() -> cache.routing().leader(DB, 0).isPresent()
                && cache.routing().leader(DB, 1).isPresent());
    }

    @Override
    public void close() {
        cache.close();
        nodes.forEach(StorageNode::close);
        master.close();
        store.close();
    }
}
