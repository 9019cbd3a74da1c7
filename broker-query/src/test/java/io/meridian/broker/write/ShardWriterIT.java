package io.meridian.broker.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.ingest.LineBatcher;
import io.meridian.common.ingest.ShardBatches;
import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.AggState;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.StorageServiceGrpc;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.client.ShardLeaderClient;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.server.LeafQueryCodec;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.server.ShardRefCodec;
import io.meridian.storage.testing.LocalStorageCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

    /** Body {@code i}: 10 hosts, requests = i (so the total over n bodies is 10 * n(n+1)/2). */
    private static byte[] body(int i) {
        StringBuilder sb = new StringBuilder();
        for (int h = 0; h < 10; h++) {
            sb.append("http,host=h")
                    .append(h)
                    .append(" requests=")
                    .append(i)
                    .append(' ')
                    .append(T0 + i * 1000L)
                    .append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static AggState total(StorageNode node, int shards) {
        ManagedChannel ch = NettyChannelBuilder.forAddress(
                        "127.0.0.1", node.self().grpcPort())
                .usePlaintext()
                .build();
        try {
            AggState all = AggState.empty();
            for (int shard = 0; shard < shards; shard++) {
                List<LeafResultChunk> chunks = new ArrayList<>();
                StorageServiceGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .leafQuery(LeafQueryCodec.encode(new LeafQuery(
                                        "http", TagPredicate.all(), T0, T0 + HOUR, 0, List.of(), List.of("requests")))
                                .setShard(ShardRefCodec.encode(new ShardKey("db", shard), 0))
                                .build())
                        .forEachRemaining(chunks::add);
                PartialTable r = PartialTableCodec.decode(chunks);
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
        try (LocalStorageCluster cluster = new LocalStorageCluster(etcd, dir, ROOT);
                ShardWriter writer = new ShardWriter(cluster.cache::routing, Duration.ofSeconds(30))) {
            MetaCache cache = cluster.cache;
            StorageNode s1 = cluster.nodes.get(0);
            StorageNode s2 = cluster.nodes.get(1);
            StorageNode s3 = cluster.nodes.get(2);
            LineBatcher batcher = new LineBatcher();
            StorageNode victim = null;
            long epochBefore = 0;
            for (int i = 1; i <= 40; i++) {
                byte[] b = body(i);
                ShardBatches batches = batcher.batch("db", 2, b, 0, b.length, Precision.MILLISECONDS, T0);
                assertThat(batches.batches())
                        .as("10 hosts spread over both shards")
                        .hasSize(2);
                writer.write(batches);
                if (i == 20) {
                    // the leader of shard 0 goes away mid-stream: the master promotes another replica
                    var before = cache.routing().leader("db", 0).orElseThrow();
                    victim = List.of(s1, s2, s3).stream()
                            .filter(n -> n.self().id().equals(before.leader()))
                            .findFirst()
                            .orElseThrow();
                    victim.close();
                    epochBefore = before.epoch();
                }
            }
            assertThat(cache.routing().leader("db", 0).orElseThrow().epoch())
                    .as("shard 0 failed over")
                    .isGreaterThan(epochBefore);
            // every survivor holds every acknowledged batch once (a follower may still be applying the last ones)
            final StorageNode gone = victim;
            for (StorageNode survivor :
                    List.of(s1, s2, s3).stream().filter(n -> n != gone).toList()) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    AggState all = total(survivor, 2);
                    assertThat(all.count()).isEqualTo(400);
                    assertThat(all.sum()).isEqualTo(10 * 40 * 41 / 2.0);
                });
            }
        }
    }

    @Test
    void aWriteToADatabaseTheMetadataDoesNotKnowEndsWithNotFoundInsteadOfRetryingUntilTheTimeout(EtcdProcess etcd) {
        try (LocalStorageCluster cluster = new LocalStorageCluster(etcd, dir, ROOT + "-unknown-db")) {
            MetaCache cache = cluster.cache;
            try (ShardLeaderClient leaders = new ShardLeaderClient(
                            cache::routing,
                            db -> cache.snapshot().revision() > 0
                                    && !cache.snapshot().databases().containsKey(db),
                            ShardWriter.policy(Duration.ofMinutes(5)));
                    ShardWriter writer = new ShardWriter(leaders)) {
                byte[] b = body(1);
                ShardBatches batches = new LineBatcher().batch("gone", 2, b, 0, b.length, Precision.MILLISECONDS, T0);
                assertThatThrownBy(() -> writer.write(batches))
                        .isInstanceOf(InvalidInputException.class)
                        .hasMessageContaining("db=gone")
                        .hasMessageContaining("does not exist")
                        .extracting(e -> ((InvalidInputException) e).code())
                        .isEqualTo(ErrorCode.NOT_FOUND);
                assertThat(leaders.retries())
                        .as("nothing to retry without a leader")
                        .isZero();
            }
        }
    }
}
