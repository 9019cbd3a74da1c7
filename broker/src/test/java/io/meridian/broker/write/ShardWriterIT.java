package io.meridian.broker.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.AggState;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.etcd.EtcdExtension;
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
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.node.StorageMain;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.node.StorageNodeConfig;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.query.LeafResult;
import io.meridian.storage.server.LeafQueryCodec;
import io.meridian.storage.server.LeafResultCodec;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRefCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct write path against real etcd, the master and three storage nodes (real replication) in this JVM:
 * line-protocol bodies are cut per shard and every batch reaches its leader exactly once, also while a leader
 * is stopped and the writer has to follow the failover (three nodes, three replicas, majority).
 */
@ExtendWith(EtcdExtension.class)
class ShardWriterIT {
    private static final String ROOT = "/broker-it";
    private static final long HOUR = 3_600_000L;
    private static final long T0 = (System.currentTimeMillis() / HOUR - 1) * HOUR;

    @TempDir
    Path dir;

    private StorageNode node(EtcdProcess etcd, String id) {
        return StorageNode.start(StorageNodeConfig.from(ConfigTree.parse("test", """
                node: {id: %s, idc: idc1, cluster: c1, data-dir: '%s', report-interval: 100ms}
                meta: {etcd.endpoints: %s, root: %s, lease-ttl: 2s}
                storage: {server.port: 0, memtable.size: 4MiB, block-cache.size: 4MiB,
                          replication: {ack-timeout: 2s, lag-max: 2s, fetch-wait: 200ms}}
                """.formatted(id, dir.resolve(id), etcd.endpoint(), ROOT))), StorageMain.CONTROLLER);
    }

    /** Body {@code i}: 10 hosts, requests = i (so the total over n bodies is 10 * n(n+1)/2). */
    private static byte[] body(int i) {
        StringBuilder sb = new StringBuilder();
        for (int h = 0; h < 10; h++) {
            sb.append("http,host=h").append(h).append(" requests=").append(i).append(' ').append(T0 + i * 1000L).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static AggState total(StorageNode node, int shards) {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.self().grpcPort()).usePlaintext().build();
        try {
            AggState all = AggState.empty();
            for (int shard = 0; shard < shards; shard++) {
                List<LeafResultChunk> chunks = new ArrayList<>();
                StorageServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS).leafQuery(LeafQueryCodec
                        .encode(new LeafQuery("http", TagPredicate.all(), T0, T0 + HOUR, 0, List.of(), List.of("requests")))
                        .setShard(ShardRefCodec.encode(new ShardKey("db", shard), 0)).build()).forEachRemaining(chunks::add);
                LeafResult r = LeafResultCodec.decode(chunks);
                AggState cell = r.cell(List.of(), 0, 0);
                if (cell != null) {
                    all = all.merge(cell);
                }
            }
            return all;
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void everyBatchReachesItsLeaderOnceAlsoThroughAFailover(EtcdProcess etcd) {
        MetaStore store = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), ROOT));
        MasterService master = new MasterService(store, "broker-1", "127.0.0.1:1", new MasterOptions(Duration.ofSeconds(2),
                Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(1), new PlannerOptions(Duration.ofHours(1))),
                Clock.systemUTC()).start();
        StorageNode s1 = node(etcd, "s1");
        StorageNode s2 = node(etcd, "s2");
        StorageNode s3 = node(etcd, "s3");
        MetaCache cache = new MetaCache(store, dir.resolve("broker-meta"), "idc1").start();
        ShardWriter writer = new ShardWriter(cache::routing, Duration.ofSeconds(30));
        try {
            // elected and the metadata initialized (cluster marker written): DDL is accepted from then on
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> master.isMaster()
                    && store.get(store.keys().clusterMarker()).isPresent());
            try {
                master.createCluster(new StorageCluster("c1", "idc1"));
            } catch (io.meridian.common.error.InvalidInputException e) {
                // the master may already have rebuilt it from the storage nodes' reports
                assertThat(e.code()).isEqualTo(io.meridian.common.error.ErrorCode.ALREADY_EXISTS);
            }
            master.createDatabase(new DatabaseConfig("db", 2, 3, WriteConcern.MAJORITY,
                    List.of(new IntervalSpec("10s", "30d")), List.of("c1")));
            await().atMost(Duration.ofSeconds(30)).until(() -> cache.routing().leader("db", 0).isPresent()
                    && cache.routing().leader("db", 1).isPresent());
            LineBatcher batcher = new LineBatcher();
            StorageNode victim = null;
            long epochBefore = 0;
            for (int i = 1; i <= 40; i++) {
                byte[] b = body(i);
                ShardBatches batches = batcher.batch("db", 2, b, 0, b.length, Precision.MILLISECONDS, T0);
                assertThat(batches.batches()).as("10 hosts spread over both shards").hasSize(2);
                writer.write(batches);
                if (i == 20) {
                    // the leader of shard 0 goes away mid-stream: the master promotes another replica
                    var before = cache.routing().leader("db", 0).orElseThrow();
                    victim = List.of(s1, s2, s3).stream().filter(n -> n.self().id().equals(before.leader()))
                            .findFirst().orElseThrow();
                    victim.close();
                    epochBefore = before.epoch();
                }
            }
            assertThat(cache.routing().leader("db", 0).orElseThrow().epoch()).as("shard 0 failed over")
                    .isGreaterThan(epochBefore);
            // every survivor holds every acknowledged batch once (a follower may still be applying the last ones)
            final StorageNode gone = victim;
            for (StorageNode survivor : List.of(s1, s2, s3).stream().filter(n -> n != gone).toList()) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    AggState all = total(survivor, 2);
                    assertThat(all.count()).isEqualTo(400);
                    assertThat(all.sum()).isEqualTo(10 * 40 * 41 / 2.0);
                });
            }
        } finally {
            writer.close();
            cache.close();
            s3.close();
            s2.close();
            s1.close();
            master.close();
            store.close();
        }
    }
}
