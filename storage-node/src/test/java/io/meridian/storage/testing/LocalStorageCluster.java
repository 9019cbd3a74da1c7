package io.meridian.storage.testing;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.storage.v1.DeclareFieldRequest;
import io.meridian.common.rpc.storage.v1.FieldType;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.master.MasterOptions;
import io.meridian.meta.master.MasterService;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.model.WriteConcern;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.node.StorageMain;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.node.StorageNodeConfig;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.server.LeafQueryCodec;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRefCodec;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

/**
 * A small cluster in this JVM for tests of the parts above storage (broker, Flink sink, ingest job): real etcd
 * (the caller's), the master, storage nodes with real replication, and a metadata cache of the caller's own.
 * The default is three nodes and one database {@code db} with 2 shards x 3 replicas, majority write concern.
 */
public final class LocalStorageCluster implements AutoCloseable {
    public static final String DB = "db";
    public static final int SHARDS = 2;

    public final MetaStore store;
    public final MasterService master;
    public final List<StorageNode> nodes = new ArrayList<>();
    public final MetaCache cache;
    private final EtcdProcess etcd;
    private final Path dir;
    private final String root;
    private final String storageSettings;

    public LocalStorageCluster(EtcdProcess etcd, Path dir, String root) {
        this(
                etcd,
                dir,
                root,
                3,
                new DatabaseConfig(
                        DB,
                        SHARDS,
                        3,
                        WriteConcern.MAJORITY,
                        List.of(IntervalSpec.parse("10s", "30d")),
                        List.of("c1")));
    }

    /**
     * @param nodes    storage nodes to start ({@code s1..sN}, cluster {@code c1} in {@code idc1})
     * @param database created once the master is elected; its clusters must be {@code c1}
     */
    public LocalStorageCluster(EtcdProcess etcd, Path dir, String root, int nodes, DatabaseConfig database) {
        this(etcd, dir, root, nodes, database, "");
    }

    /**
     * @param storageSettings more keys of every node's {@code storage} section, e.g. {@code "memtable.node-limit:
     *                        512KiB"} (empty for none)
     */
    public LocalStorageCluster(
            EtcdProcess etcd, Path dir, String root, int nodes, DatabaseConfig database, String storageSettings) {
        this.storageSettings = storageSettings.isEmpty() ? "" : ", " + storageSettings;
        this.etcd = etcd;
        this.dir = dir;
        this.root = root;
        store = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), root));
        master = new MasterService(
                        store,
                        "broker-1",
                        "127.0.0.1:1",
                        new MasterOptions(
                                Duration.ofSeconds(2),
                                Duration.ofMillis(100),
                                Duration.ofMillis(300),
                                Duration.ofSeconds(1),
                                new PlannerOptions(Duration.ofHours(1))),
                        Clock.systemUTC())
                .start();
        for (int i = 1; i <= nodes; i++) {
            this.nodes.add(startNode("s" + i));
        }
        cache = new MetaCache(store, dir.resolve("client-meta"), "idc1").start();
        // elected and the metadata initialized (cluster marker written): DDL is accepted from then on
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> master.isMaster()
                        && store.get(store.keys().clusterMarker()).isPresent());
        try {
            master.createCluster(new StorageCluster("c1", "idc1"));
        } catch (InvalidInputException e) {
            if (e.code() != ErrorCode.ALREADY_EXISTS) { // the master may have rebuilt it from the nodes' reports
                throw e;
            }
        }
        createDatabase(database);
    }

    /** Creates a database on cluster {@code c1} and waits until every shard has a leader in the cache. */
    public void createDatabase(DatabaseConfig database) {
        master.createDatabase(database);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> IntStream.range(0, database.shards())
                        .allMatch(
                                s -> cache.routing().leader(database.name(), s).isPresent()));
    }

    /** Starts (or restarts, on its old data) storage node {@code id}. */
    public StorageNode startNode(String id) {
        return StorageNode.start(
                StorageNodeConfig.from(ConfigTree.parse(
                        "test", """
                node: {id: %s, idc: idc1, cluster: c1, data-dir: '%s', report-interval: 100ms}
                meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                storage: {server.port: 0, http.port: -1, memtable.size: 4MiB, block-cache.size: 4MiB,
                          replication: {ack-timeout: 2s, lag-max: 2s, fetch-wait: 200ms}%s}
                """.formatted(id, dir.resolve(id), etcd.endpoint(), root, storageSettings))),
                StorageMain.CONTROLLER);
    }

    /**
     * The merged partial aggregate of {@code field} of {@code metric} over [from, to) in every shard of
     * {@code database}, read from each shard's current leader (leaf queries over gRPC, no grouping).
     */
    public AggState total(String database, int shards, String metric, String field, long from, long to) {
        AggState cell = leafQuery(
                        database,
                        shards,
                        new LeafQuery(metric, TagPredicate.all(), from, to, 0, List.of(), List.of(field)))
                .cell(List.of(), 0, 0);
        return cell == null ? AggState.empty() : cell;
    }

    /**
     * A leaf query run on every shard's current leader, the results merged (what a broker's fan-out does) over the
     * query's whole window: bucket i starts at {@code query.startMs() + i * query.bucketMs()}, although each shard
     * answers only the part of the range its data can be in.
     */
    public PartialTable leafQuery(String database, int shards, LeafQuery query) {
        PartialTable all = PartialTable.of(
                query.groupBy(),
                query.fields(),
                query.startMs(),
                query.bucketMs(),
                query.bucketCount(),
                new HashMap<>());
        for (int shard = 0; shard < shards; shard++) {
            String address = cache.routing()
                    .leader(database, shard)
                    .orElseThrow(() -> new IllegalStateException("no leader in the routing table"))
                    .address();
            ManagedChannel ch =
                    ManagedChannelBuilder.forTarget(address).usePlaintext().build();
            try {
                List<LeafResultChunk> chunks = new ArrayList<>();
                StorageServiceGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .leafQuery(LeafQueryCodec.encode(query)
                                .setShard(ShardRefCodec.encode(new ShardKey(database, shard), 0))
                                .build())
                        .forEachRemaining(chunks::add);
                all = all.merge(PartialTableCodec.decode(chunks));
            } finally {
                ch.shutdownNow();
            }
        }
        return all;
    }

    /** Declares a field's type on every shard's leader (what the broker's metric endpoint does). */
    public void declareField(String database, int shards, String metric, String field, FieldType type) {
        for (int shard = 0; shard < shards; shard++) {
            onLeader(
                    database,
                    shard,
                    (stub, ref) -> stub.declareField(DeclareFieldRequest.newBuilder()
                            .setShard(ref)
                            .setMetric(metric)
                            .setField(field)
                            .setType(type)
                            .build()));
        }
    }

    /**
     * Writes {@code batch} to the current leader of {@code shard} over gRPC, anonymously (what a client that bypasses
     * Kafka does); returns the points applied.
     */
    public long write(String database, int shard, PointBatch batch) {
        return onLeader(
                database,
                shard,
                (stub, ref) -> stub.write(WriteRequest.newBuilder()
                                .setShard(ref)
                                .setBatch(batch)
                                .build())
                        .getPoints());
    }

    /** One call to the current leader of (database, shard), with the shard reference at the leader's epoch. */
    private <T> T onLeader(
            String database, int shard, BiFunction<StorageServiceGrpc.StorageServiceBlockingStub, ShardRef, T> call) {
        var route = cache.routing().leader(database, shard).orElseThrow();
        ManagedChannel ch =
                ManagedChannelBuilder.forTarget(route.address()).usePlaintext().build();
        try {
            return call.apply(
                    StorageServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS),
                    ShardRefCodec.encode(new ShardKey(database, shard), route.epoch()));
        } finally {
            ch.shutdownNow();
        }
    }

    /** The sum of storage counter {@code name} of {@code database} over every running node and shard. */
    public double counter(String database, String name) {
        return nodes.stream()
                .filter(StorageNode::isRegistered)
                .flatMap(n -> n.registry().meters().find(name).tag("db", database).counters().stream())
                .mapToDouble(Counter::count)
                .sum();
    }

    /** Flushes every replica's memtable on every running node: what queries read next comes from the files. */
    public void flushAll() {
        nodes.stream()
                .filter(n -> n.isRegistered())
                .forEach(n -> n.registry().replicas().forEach(r -> r.shard().flush()));
    }

    /** The meta endpoints and root, as clients outside this JVM's cache are configured. */
    public String etcdEndpoint() {
        return etcd.endpoint();
    }

    public String root() {
        return root;
    }

    @Override
    public void close() {
        cache.close();
        nodes.forEach(StorageNode::close);
        master.close();
        store.close();
    }
}
