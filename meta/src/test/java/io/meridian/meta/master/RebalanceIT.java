package io.meridian.meta.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.store.MetaStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A storage node that joins receives replicas only after the rebalance delay, then the spread evens out. */
@ExtendWith(EtcdExtension.class)
class RebalanceIT {
    private static final Duration DELAY = Duration.ofSeconds(2);

    @Test
    void joiningNodeGetsReplicasAfterTheDelay(EtcdProcess etcd, @TempDir Path dir) throws Exception {
        try (ClusterFixture cluster = new ClusterFixture(etcd.endpoint(), dir)) {
            MetaStore observer = cluster.client();
            cluster.storage("s1", 7001);
            cluster.storage("s2", 7002);
            MasterOptions options = new MasterOptions(
                    ClusterFixture.TTL,
                    Duration.ofMillis(100),
                    Duration.ofMillis(200),
                    Duration.ofMillis(500),
                    new PlannerOptions(DELAY));
            try (MasterService master =
                    new MasterService(cluster.client(), "b1", "b1:1", options, Clock.systemUTC()).start()) {
                await().atMost(Duration.ofSeconds(8)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(ClusterFixture.truth(observer).nodes()).hasSize(2);
                    master.createDatabase(ClusterFixture.db("cpu", 6, 2));
                });
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> ClusterFixture.truth(observer).states().size() == 6);
                assertThat(load(ClusterFixture.truth(observer))).containsOnly(Map.entry("s1", 6), Map.entry("s2", 6));

                cluster.storage("s3", 7003);
                long joined = System.nanoTime();
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> ClusterFixture.truth(observer).nodes().containsKey("s3"));
                await().during(DELAY.minusMillis(700))
                        .atMost(DELAY.plusSeconds(1))
                        .until(() -> !load(ClusterFixture.truth(observer)).containsKey("s3"));

                await().atMost(DELAY.plusSeconds(5)).until(() -> {
                    Map<String, Integer> l = load(ClusterFixture.truth(observer));
                    return l.getOrDefault("s3", 0) == 4 && l.get("s1") == 4 && l.get("s2") == 4;
                });
                assertThat(Duration.ofNanos(System.nanoTime() - joined)).isGreaterThanOrEqualTo(DELAY);
                for (ShardState s : ClusterFixture.truth(observer).states().values()) {
                    assertThat(s.replicas()).hasSize(2).doesNotHaveDuplicates();
                    assertThat(s.inSync()).contains(s.leader());
                }
            }
        }
    }

    private static Map<String, Integer> load(MetaSnapshot s) {
        Map<String, Integer> load = new HashMap<>();
        s.states().values().forEach(st -> st.replicas().forEach(n -> load.merge(n, 1, Integer::sum)));
        return load;
    }
}
