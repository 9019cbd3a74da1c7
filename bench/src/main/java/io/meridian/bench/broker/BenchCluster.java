package io.meridian.bench.broker;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.meridian.broker.node.BrokerNode;
import io.meridian.broker.node.BrokerNodeConfig;
import io.meridian.common.config.ConfigTree;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.etcd.EtcdProcessOptions;
import io.meridian.meta.model.NodeRole;
import io.meridian.storage.node.StorageMain;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.node.StorageNodeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The smallest real cluster, in this JVM on 127.0.0.1 with ports picked at start: etcd (child process), one
 * storage node and one broker; then the storage cluster and one database of {@code shards} shards with one
 * replica each, created through the broker's HTTP API. Closing stops all of it (the data directory stays).
 */
final class BenchCluster implements AutoCloseable {
    static final String DATABASE = "bench";
    static final String CLUSTER = "c1";
    static final String IDC = "idc1";
    private static final String META_ROOT = "/meridian-bench";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int STATUS_UNAVAILABLE = 503;
    private static final long DDL_RETRY_MS = 100;

    private final EtcdProcess etcd;
    private final StorageNode storage;
    private final BrokerNode broker;
    private final ManagedChannel leafChannel;

    private BenchCluster(EtcdProcess etcd, StorageNode storage, BrokerNode broker, ManagedChannel leafChannel) {
        this.etcd = etcd;
        this.storage = storage;
        this.broker = broker;
        this.leafChannel = leafChannel;
    }

    /** Starts everything under {@code dir} and waits until every shard of the database has a leader. */
    static BenchCluster start(Path dir, int shards, String fsync) throws IOException, InterruptedException {
        EtcdProcess etcd = EtcdProcess.start(EtcdProcessOptions.defaults(dir.resolve("etcd")));
        StorageNode storage = null;
        BrokerNode broker = null;
        try {
            storage = StorageNode.start(
                    StorageNodeConfig.from(ConfigTree.parse("bench-storage", """
                    node: {id: s1, idc: %s, cluster: %s, data-dir: '%s', report-interval: 200ms}
                    meta: {etcd.endpoints: %s, root: %s, lease-ttl: 5s}
                    storage: {server.port: 0, server.host: 127.0.0.1, wal.fsync: %s}
                    """.formatted(
                                    IDC, CLUSTER, dir.resolve("s1"), etcd.endpoint(), META_ROOT, fsync))),
                    StorageMain.CONTROLLER);
            broker = BrokerNode.start(
                    BrokerNodeConfig.from(ConfigTree.parse(
                            "bench-broker", """
                    node: {id: b1, idc: %s, data-dir: '%s'}
                    meta: {etcd.endpoints: %s, root: %s, lease-ttl: 5s}
                    broker: {http.port: 0, grpc.port: 0}
                    master: {lease-ttl: 5s, poll-interval: 100ms, reconcile-interval: 300ms, rebuild-grace: 1s}
                    """.formatted(IDC, dir.resolve("b1"), etcd.endpoint(), META_ROOT))),
                    List.of());
            ManagedChannel channel = NettyChannelBuilder.forAddress(
                            "127.0.0.1", storage.self().grpcPort())
                    .usePlaintext()
                    .maxInboundMessageSize(64 << 20)
                    .build();
            BenchCluster c = new BenchCluster(etcd, storage, broker, channel);
            c.createDatabase(shards);
            return c;
        } catch (RuntimeException | IOException | InterruptedException e) {
            closeQuietly(broker, e);
            closeQuietly(storage, e);
            closeQuietly(etcd, e);
            throw e;
        }
    }

    private void createDatabase(int shards) throws IOException, InterruptedException {
        BrokerNode b = broker;
        await("broker is master", () -> b.master().isMaster());
        await(
                "storage node registered",
                () -> b.cache().snapshot().nodes().values().stream().anyMatch(n -> n.role() == NodeRole.STORAGE));
        try (RawHttpClient http = new RawHttpClient("127.0.0.1", broker.httpPort())) {
            RawHttpClient.Answer cluster =
                    ddl(http, "/api/v1/clusters", "{\"name\":\"" + CLUSTER + "\",\"idc\":\"" + IDC + "\"}");
            if (cluster.status() != 201 && cluster.status() != 409) {
                throw new IllegalStateException(
                        "cannot create cluster: " + cluster.status() + " " + cluster.bodyText());
            }
            await("cluster in the cache", () -> b.cache().snapshot().clusters().containsKey(CLUSTER));
            RawHttpClient.Answer created = ddl(http, "/api/v1/databases", """
                    {"name":"%s","shards":%d,"replicas":1,"intervals":[{"interval":"10s","retention":"30d"}],
                     "clusters":["%s"]}""".formatted(DATABASE, shards, CLUSTER));
            if (created.status() != 201) {
                throw new IllegalStateException(
                        "cannot create database: " + created.status() + " " + created.bodyText());
            }
        }
        for (int s = 0; s < shards; s++) {
            int shard = s;
            await(
                    "leader of shard " + s,
                    () -> b.cache().routing().leader(DATABASE, shard).isPresent());
        }
        // the broker may route to a leader before the node opened the shard; it retries that (NOT_LEADER), but a
        // timed load should not start inside that window
        StorageNode node = storage;
        await(
                "the storage node serves every shard as leader",
                () -> node.registry().replicas().stream()
                                .filter(r -> r.key().database().equals(DATABASE) && r.leader())
                                .count()
                        == shards);
    }

    /** Sends a DDL statement, retrying while the new master refuses DDL (503: metadata still being rebuilt). */
    private static RawHttpClient.Answer ddl(RawHttpClient http, String path, String json)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            RawHttpClient.Answer a = http.post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
            if (a.status() != STATUS_UNAVAILABLE || System.nanoTime() > deadline) {
                return a;
            }
            Thread.sleep(DDL_RETRY_MS);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting: " + what + " [timeout=" + READY_TIMEOUT + "]");
            }
            Thread.sleep(20);
        }
    }

    int httpPort() {
        return broker.httpPort();
    }

    /** A channel to the storage node's gRPC port, for leaf queries without the broker. */
    ManagedChannel leafChannel() {
        return leafChannel;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        leafChannel.shutdownNow();
        for (AutoCloseable c : new AutoCloseable[] {broker, storage, etcd}) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("cannot stop the bench cluster", e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void closeQuietly(AutoCloseable c, Exception primary) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }
}
