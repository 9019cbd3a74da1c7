package io.meridian.meta.master;

import static io.meridian.meta.master.ClusterFixture.TTL;
import static io.meridian.meta.master.ClusterFixture.db;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.common.error.InvalidInputException;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.cache.Route;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.store.MetaStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Master and storage node failures on a real etcd. */
@ExtendWith(EtcdExtension.class)
class MasterFailoverIT {
    @Test
    void storageLossMovesLeadershipsAndMasterCrashFailsOver(EtcdProcess etcd, @TempDir Path dir) throws Exception {
        try (ClusterFixture cluster = new ClusterFixture(etcd.endpoint(), dir)) {
            MetaStore observer = cluster.client();
            ClusterFixture.Storage s1 = cluster.storage("s1", 7001);
            ClusterFixture.Storage s2 = cluster.storage("s2", 7002);
            ClusterFixture.Storage s3 = cluster.storage("s3", 7003);
            ClusterFixture.Broker b1 = cluster.broker("b1", 6001);
            await().atMost(Duration.ofSeconds(5)).until(b1.master::isMaster);
            ClusterFixture.Broker b2 = cluster.broker("b2", 6002);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> ClusterFixture.truth(observer).marker() != null);

            // the first master initializes etcd and declares the clusters its storage nodes registered with
            assertThat(ClusterFixture.truth(observer).clusters()).containsOnlyKeys("c1");
            assertThatThrownBy(() -> b1.master.createCluster(new StorageCluster("c1", "idc1")))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("cluster already exists");
            await().atMost(Duration.ofSeconds(5))
                    .ignoreExceptions()
                    .until(() -> ClusterFixture.truth(observer).nodes().size() == 5);
            b1.master.createDatabase(db("cpu", 6, 2));

            // DDL goes through the master only, and bad DDL changes nothing
            assertThatThrownBy(() -> b2.master.createDatabase(db("mem", 1, 1)))
                    .isInstanceOf(NotMasterException.class)
                    .hasMessageContaining("master=b1@");
            assertThatThrownBy(() -> b1.master.createDatabase(db("cpu", 1, 1)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("already exists");
            assertThatThrownBy(() -> b1.master.createDatabase(db("wide", 2, 4)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("not enough live storage nodes [database=wide, cluster=c1]: got 3");
            assertThat(ClusterFixture.truth(observer).databases()).containsOnlyKeys("cpu");

            // every broker can route every shard
            await().atMost(Duration.ofSeconds(5)).until(() -> b2.cache.routing().size() == 6);
            Map<Integer, Route> before = new HashMap<>();
            for (int shard = 0; shard < 6; shard++) {
                before.put(shard, b2.cache.routing().leader("cpu", shard).orElseThrow());
            }

            // sequences reach the shard states through node reports
            MetaSnapshot placed = ClusterFixture.truth(observer);
            for (ShardState s : placed.states().values()) {
                s.replicas().forEach(n -> storage(n, s1, s2, s3).persisted(s.id(), 100 + s.shard()));
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> ClusterFixture.truth(observer).states().values().stream()
                            .allMatch(s -> s.replicas().stream().allMatch(n -> s.seqOf(n) == 100 + s.shard())));

            // a storage node dies: its leaderships move to in-sync followers with a bumped epoch
            s1.registrar.crash();
            await().atMost(TTL.plusSeconds(3))
                    .until(() -> b2.cache.routing().size() == 6
                            && before.keySet().stream()
                                    .allMatch(sh -> !b2.cache
                                            .routing()
                                            .leader("cpu", sh)
                                            .orElseThrow()
                                            .leader()
                                            .equals("s1")));
            for (int shard = 0; shard < 6; shard++) {
                Route was = before.get(shard);
                Route now = b2.cache.routing().leader("cpu", shard).orElseThrow();
                if (was.leader().equals("s1")) {
                    assertThat(now.epoch()).as("shard %d epoch", shard).isEqualTo(was.epoch() + 1);
                    ShardState st =
                            ClusterFixture.truth(observer).states().get(MetaSnapshot.stateKey("cpu", "c1", shard));
                    assertThat(st.inSync()).doesNotContain("s1").contains(now.leader());
                } else {
                    assertThat(now).as("shard %d untouched", shard).isEqualTo(was);
                }
            }
            assertThat(before.values()).extracting(Route::leader).contains("s1");

            // the master dies: the other broker takes over within the lease TTL + 2 s and keeps working
            long crashed = System.nanoTime();
            b1.master.crash();
            await().atMost(TTL.plusSeconds(2)).until(b2.master::isMaster);
            Duration failover = Duration.ofNanos(System.nanoTime() - crashed);
            assertThat(failover).isLessThanOrEqualTo(TTL.plusSeconds(2));
            String result = "master failover (crash -> new master) with lease TTL " + TTL.toMillis() + " ms: "
                    + failover.toMillis() + " ms";
            LoggerFactory.getLogger(MasterFailoverIT.class).info(result);
            Files.writeString(Path.of("target", "meta-failover.txt"), result + System.lineSeparator());
            b2.master.createDatabase(db("mem", 2, 2));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> b2.cache.routing().leader("mem", 1).isPresent());
            assertThat(List.of("s2", "s3"))
                    .contains(b2.cache.routing().leader("mem", 1).orElseThrow().leader());
        }
    }

    private static ClusterFixture.Storage storage(String id, ClusterFixture.Storage... all) {
        for (ClusterFixture.Storage s : all) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException(id);
    }
}
