package io.meridian.broker.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.meridian.broker.query.DistributedQueryExecutor;
import io.meridian.broker.query.QueryContext;
import io.meridian.broker.write.ShardWriter;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.MeridianException;
import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.rpc.storage.v1.ListTagValuesRequest;
import io.meridian.common.rpc.storage.v1.ShardRef;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.registry.NodeRegistrar;
import io.meridian.sql.SqlEngine;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.testing.LocalStorageCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code information_schema.tag_values} against real etcd, the master and three replicating storage nodes in this
 * JVM (2 shards x 3 replicas): the values written to both shards come back merged, sorted and distinct; an unknown
 * metric or tag answers no rows; a series written a moment ago is listed at once (nothing cached); a root in
 * another IDC reads this IDC's cluster through a broker's {@code BrokerCatalogService}, failing with
 * IDC_UNAVAILABLE once that broker is gone; and a stopped replica is read around.
 */
@ExtendWith(EtcdExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TagValuesIT {
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;
    private static final String BY_HOST = "SELECT value FROM information_schema.tag_values"
            + " WHERE database = 'db' AND metric = 'cpu' AND tag = 'host' ORDER BY value";

    @TempDir
    static Path dir;

    private LocalStorageCluster cluster;
    private DistributedQueryExecutor executor;
    private StorageCatalog catalog;
    private SqlEngine engine;
    private final TreeSet<String> hosts = new TreeSet<>();

    @BeforeAll
    void start(EtcdProcess etcd) {
        cluster = new LocalStorageCluster(etcd, dir, "/tag-values-it");
        executor = new DistributedQueryExecutor(cluster.cache::snapshot, "idc1", new SimpleMeterRegistry());
        catalog = new StorageCatalog(cluster.cache::snapshot, "idc1", Duration.ofMillis(500));
        engine = new SqlEngine(
                catalog,
                spec -> {
                    try (QueryContext q = QueryContext.start(UUID.randomUUID().toString(), spec.timeout())) {
                        return executor.execute(spec, q);
                    }
                },
                Duration.ofSeconds(30),
                1000);
        StringBuilder body = new StringBuilder();
        for (int h = 0; h < 24; h++) {
            String host = "host_" + h;
            hosts.add(host);
            for (long t = T0; t < T0 + 60_000; t += 10_000) { // several points per series: one value each
                body.append("cpu,host=")
                        .append(host)
                        .append(",dc=")
                        .append(h % 2 == 0 ? "east" : "west")
                        .append(" usage=")
                        .append(h)
                        .append(' ')
                        .append(t)
                        .append('\n');
            }
            if (h % 3 == 0) {
                body.append("mem,host=")
                        .append(host)
                        .append(" used=1 ")
                        .append(T0)
                        .append('\n');
            }
        }
        write(body.toString());
    }

    private void write(String lines) {
        byte[] bytes = lines.getBytes(StandardCharsets.UTF_8);
        try (ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30))) {
            writer.write(new LineBatcher()
                    .batch(
                            LocalStorageCluster.DB,
                            LocalStorageCluster.SHARDS,
                            bytes,
                            0,
                            bytes.length,
                            Precision.MILLISECONDS,
                            T0));
        }
    }

    @AfterAll
    void stop() {
        catalog.close();
        executor.close();
        cluster.close();
    }

    private List<String> column(String sql) {
        return engine.execute(null, sql).rows().stream()
                .map(r -> (String) r.get(0))
                .toList();
    }

    /** What one shard's leader lists, asked directly. */
    private List<String> shardValues(int shard, String metric, String tag) {
        String address = cluster.cache
                .routing()
                .leader(LocalStorageCluster.DB, shard)
                .orElseThrow()
                .address();
        ManagedChannel ch =
                ManagedChannelBuilder.forTarget(address).usePlaintext().build();
        try {
            return StorageServiceGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listTagValues(ListTagValuesRequest.newBuilder()
                            .setShard(ShardRef.newBuilder()
                                    .setDatabase(LocalStorageCluster.DB)
                                    .setShard(shard))
                            .setMetric(metric)
                            .setTagKey(tag)
                            .build())
                    .getValuesList();
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    @Order(1)
    void valuesFromBothShardsComeBackMergedSortedAndDistinct() {
        List<String> shard0 = shardValues(0, "cpu", "host");
        List<String> shard1 = shardValues(1, "cpu", "host");
        assertThat(shard0)
                .as("the hosts are spread over both shards")
                .isNotEmpty()
                .isNotEqualTo(List.copyOf(hosts));
        assertThat(shard1).isNotEmpty().doesNotContainAnyElementsOf(shard0);

        assertThat(column(BY_HOST)).isEqualTo(List.copyOf(hosts));
        assertThat(column("SELECT value FROM information_schema.tag_values WHERE tag = 'dc' AND metric = 'cpu'"
                        + " AND database = 'db' ORDER BY value"))
                .containsExactly("east", "west");
        assertThat(catalog.tagValues(LocalStorageCluster.DB, "cpu", "host", 5))
                .as("cut at the limit, the first ones")
                .isEqualTo(hosts.stream().limit(5).toList());
        assertThat(engine.execute(
                                null,
                                "SELECT tag, COUNT(*) FROM information_schema.tag_values WHERE database = 'db'"
                                        + " AND metric = 'cpu' GROUP BY tag ORDER BY tag")
                        .rows())
                .containsExactly(List.of("dc", 2L), List.of("host", (long) hosts.size()));
        assertThat(column("SELECT m.value FROM information_schema.tag_values m JOIN information_schema.tag_values c"
                        + " ON m.value = c.value WHERE m.database = 'db' AND m.metric = 'mem' AND m.tag = 'host'"
                        + " AND c.database = 'db' AND c.metric = 'cpu' AND c.tag = 'host' ORDER BY m.value"))
                .isEqualTo(hosts.stream()
                        .filter(h -> Integer.parseInt(h.substring(5)) % 3 == 0)
                        .toList());
    }

    @Test
    @Order(2)
    void anUnknownMetricOrTagAnswersNoRows() {
        assertThat(column(
                        "SELECT value FROM information_schema.tag_values WHERE database = 'db' AND metric = 'nometric'"
                                + " AND tag = 'host'"))
                .isEmpty();
        assertThat(column("SELECT value FROM information_schema.tag_values WHERE database = 'db' AND metric = 'cpu'"
                        + " AND tag = 'notag'"))
                .isEmpty();
        assertThat(column("SELECT value FROM information_schema.tag_values WHERE database = 'nodb' AND metric = 'cpu'"
                        + " AND tag = 'host'"))
                .isEmpty();
    }

    @Test
    @Order(3)
    void aNewSeriesIsListedAtOnce() {
        write("cpu,host=host_new,dc=north usage=1 " + (T0 + 1_000) + "\n");
        TreeSet<String> expected = new TreeSet<>(hosts);
        expected.add("host_new");
        assertThat(column(BY_HOST)).isEqualTo(List.copyOf(expected));
        hosts.add("host_new");
    }

    @Test
    @Order(4)
    void aRootInAnotherIdcReadsThisIdcThroughItsBroker() throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new BrokerCatalogService(catalog))
                .build()
                .start();
        NodeInfo self = new NodeInfo(
                "b-idc1", NodeRole.BROKER, "127.0.0.1", server.getPort(), 1, "idc1", "c1", "test", Instant.now());
        NodeRegistrar registrar = new NodeRegistrar(
                        cluster.store, self, Duration.ofSeconds(2), () -> NodeReport.empty(self.id()))
                .start();
        try (StorageCatalog remote = new StorageCatalog(cluster.cache::snapshot, "idc0", Duration.ofMillis(500))) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.cache.snapshot().nodes().containsKey("b-idc1"));
            assertThat(remote.tagValues(LocalStorageCluster.DB, "cpu", "host", 1000))
                    .isEqualTo(List.copyOf(hosts));
            assertThat(remote.tagValues(LocalStorageCluster.DB, "cpu", "host", 3))
                    .isEqualTo(hosts.stream().limit(3).toList());
            assertThat(remote.tagValues(LocalStorageCluster.DB, "nometric", "host", 3))
                    .isEmpty();

            registrar.close();
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !cluster.cache.snapshot().nodes().containsKey("b-idc1"));
            assertThatThrownBy(() -> remote.tagValues(LocalStorageCluster.DB, "cpu", "host", 10))
                    .isInstanceOfSatisfying(MeridianException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.IDC_UNAVAILABLE);
                        assertThat(e.getMessage())
                                .contains("database=db", "metric=cpu", "tag=host", "idc=idc1", "cluster=c1");
                    });
        } finally {
            registrar.close();
            server.shutdownNow();
        }
    }

    @Test
    @Order(5)
    void aStoppedReplicaIsReadAround() {
        String leader = cluster.cache
                .routing()
                .leader(LocalStorageCluster.DB, 0)
                .orElseThrow()
                .leader();
        StorageNode node = cluster.nodes.stream()
                .filter(n -> n.self().id().equals(leader))
                .findFirst()
                .orElseThrow();
        node.close();
        // right away (the dead leader still in the metadata, its call refused) and once it has been replaced
        assertThat(column(BY_HOST)).isEqualTo(List.copyOf(hosts));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> cluster.cache
                        .routing()
                        .leader(LocalStorageCluster.DB, 0)
                        .map(r -> !r.leader().equals(leader))
                        .orElse(false));
        assertThat(column(BY_HOST)).isEqualTo(List.copyOf(hosts));
    }
}
