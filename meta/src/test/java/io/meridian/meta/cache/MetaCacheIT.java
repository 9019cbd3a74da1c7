package io.meridian.meta.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.common.model.IntervalSpec;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.ClusterMarker;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.model.WriteConcern;
import io.meridian.meta.store.MetaKeys;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(EtcdExtension.class)
class MetaCacheIT {
    @Test
    void restartedNodeResumesFromItsDiskSnapshotAndGetsWhatItMissed(EtcdProcess etcd, @TempDir Path dir) {
        try (MetaStore writer = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), "/mc"));
                MetaStore reader = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), "/mc"))) {
            MetaKeys k = writer.keys();
            Instant t = Instant.parse("2026-01-01T00:00:00Z");
            writer.put(k.clusterMarker(), ModelCodec.encode(new ClusterMarker("incarnation-1", t)));
            writer.put(k.cluster("c1"), ModelCodec.encode(new StorageCluster("c1", "idc1")));
            writer.put(
                    k.node("storage", "s1"),
                    ModelCodec.encode(new NodeInfo("s1", NodeRole.STORAGE, "10.0.0.1", 7001, 0, "idc1", "c1", "v", t)));
            writer.put(
                    k.database("cpu"),
                    ModelCodec.encode(new DatabaseConfig(
                            "cpu",
                            1,
                            1,
                            WriteConcern.LEADER,
                            List.of(IntervalSpec.parse("10s", "1d")),
                            List.of("c1"))));
            writer.put(k.shard("cpu", "c1", 0), ModelCodec.encode(state(1)));

            MetaCache first = new MetaCache(reader, dir, "idc1").start();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> first.routing().leader("cpu", 0).isPresent());
            assertThat(first.watchResets()).isEqualTo(1);
            long seen = first.snapshot().revision();
            first.close();

            writer.put(k.shard("cpu", "c1", 0), ModelCodec.encode(state(2)));
            writer.put("/mc/unknown/key", new byte[] {1, 2, 3});

            List<Long> epochs = new CopyOnWriteArrayList<>();
            MetaCache second = new MetaCache(reader, dir, "idc1");
            second.addListener(s -> epochs.add(
                    s.states().get(MetaSnapshot.stateKey("cpu", "c1", 0)).epoch()));
            second.start();
            assertThat(second.snapshot().revision())
                    .as("served from disk at once")
                    .isEqualTo(seen);
            assertThat(second.routing().leader("cpu", 0)).map(Route::epoch).contains(1L);
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            second.routing().leader("cpu", 0).map(Route::epoch).orElse(0L) == 2L);
            assertThat(second.watchResets())
                    .as("resumed from the snapshot's revision, no full read")
                    .isZero();
            assertThat(epochs)
                    .as("disk snapshot first, then the change it missed")
                    .startsWith(1L)
                    .endsWith(2L)
                    .isSorted();
            second.close();
        }
    }

    @Test
    void aNewMetadataIncarnationUnderTheWatchForcesAFullReRead(EtcdProcess etcd) {
        try (MetaStore writer = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), "/inc"));
                MetaStore reader = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), "/inc"))) {
            MetaKeys k = writer.keys();
            Instant t = Instant.parse("2026-01-01T00:00:00Z");
            writer.put(k.clusterMarker(), ModelCodec.encode(new ClusterMarker("old", t)));
            try (MetaCache cache = new MetaCache(reader, null, "idc1").start()) {
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> cache.snapshot().marker() != null);

                writer.put(k.clusterMarker(), ModelCodec.encode(new ClusterMarker("new", t)));

                await().atMost(Duration.ofSeconds(5))
                        .until(() -> cache.watchResets() == 2
                                && cache.snapshot().marker().clusterId().equals("new"));
            }
        }
    }

    @Test
    void awaitWakesOnThePublicationThatSatisfiesItAndGivesUpAfterItsTimeout(EtcdProcess etcd) throws Exception {
        try (MetaStore writer = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), "/await"));
                MetaStore reader = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), "/await"))) {
            MetaKeys k = writer.keys();
            writer.put(k.clusterMarker(), ModelCodec.encode(new ClusterMarker("a", Instant.now())));
            try (MetaCache cache = new MetaCache(reader, null, "idc1").start()) {
                assertThat(cache.await(s -> s.revision() > 0, Duration.ofSeconds(10)))
                        .isPresent();
                assertThat(cache.await(s -> s.databases().containsKey("late"), Duration.ofMillis(200)))
                        .as("no such database: empty after the timeout")
                        .isEmpty();

                CompletableFuture<Optional<MetaSnapshot>> waiting = CompletableFuture.supplyAsync(
                        () -> cache.await(s -> s.databases().containsKey("late"), Duration.ofSeconds(30)));
                writer.put(
                        k.database("late"),
                        ModelCodec.encode(new DatabaseConfig(
                                "late",
                                1,
                                1,
                                WriteConcern.LEADER,
                                List.of(IntervalSpec.parse("10s", "1d")),
                                List.of("c1"))));
                Optional<MetaSnapshot> seen = waiting.get(30, TimeUnit.SECONDS);
                assertThat(seen).isPresent();
                assertThat(seen.get().databases()).containsKey("late");
            }
        }
    }

    private static ShardState state(long epoch) {
        return new ShardState("cpu", "c1", 0, List.of("s1"), "s1", epoch, Set.of("s1"), Map.of("s1", 0L));
    }
}
