package io.meridian.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.IntervalSpec;
import io.meridian.it.harness.ClusterExtension;
import io.meridian.it.harness.MeridianCluster;
import io.meridian.it.harness.StorageNodeProcess;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.model.WriteConcern;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * etcd + master (in this JVM) + 3 storage node processes: the nodes register, the master places 2 shards x 3
 * replicas on them, every node opens and reports its replicas; kill -9 of a leader moves its leaderships to
 * other nodes at a higher epoch; the killed node restarts on its data directory and reports its replicas again.
 */
@ExtendWith(ClusterExtension.class)
class StorageClusterSmokeIT {
    private static final String DB = "smoke";
    private static final List<String> NODES = List.of("s1", "s2", "s3");

    @Test
    void nodesRegisterTakeReplicasAndLeadershipMovesOffAKilledNode(MeridianCluster cluster) {
        cluster.startEtcd();
        cluster.startMaster();
        NODES.forEach(cluster::startStorageNode);
        cluster.awaitRegistered(NODES.toArray(String[]::new));
        MetaSnapshot registered = cluster.truth();
        for (StorageNodeProcess n : cluster.nodes()) {
            assertThat(registered.nodes().get(n.id()).address()).isEqualTo(n.address());
            assertThat(registered.nodes().get(n.id()).cluster()).isEqualTo(MeridianCluster.CLUSTER);
        }

        cluster.master().createCluster(new StorageCluster(MeridianCluster.CLUSTER, MeridianCluster.IDC));
        cluster.master()
                .createDatabase(new DatabaseConfig(
                        DB,
                        2,
                        3,
                        WriteConcern.MAJORITY,
                        List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("5m", "180d")),
                        List.of(MeridianCluster.CLUSTER)));

        // the master places 2 x 3 replicas on the 3 nodes, each shard with a leader
        cluster.await().alias("2 shards x 3 replicas placed").until(() -> {
            List<ShardState> shards = cluster.shards(DB);
            return shards.size() == 2
                    && shards.stream()
                            .allMatch(s -> s.leader() != null
                                    && s.epoch() >= 1
                                    && Set.copyOf(s.replicas()).equals(Set.copyOf(NODES)));
        });
        // every node serves (opened) and reports both replicas at the shard's epoch
        cluster.await().alias("every node reports its 2 replicas").until(() -> {
            MetaSnapshot s = cluster.truth();
            return NODES.stream().allMatch(n -> reportsCurrent(s, n, 2));
        });
        for (StorageNodeProcess n : cluster.nodes()) {
            assertThat(n.dataDir().resolve(DB).resolve("shard-0")).isDirectory();
            assertThat(n.dataDir().resolve(DB).resolve("shard-1")).isDirectory();
        }

        // kill -9 the leader of shard 0
        ShardState before = cluster.shards(DB).get(0);
        String victim = before.leader();
        Map<Integer, Long> epochsBefore = epochs(cluster.shards(DB));
        Set<Integer> ledByVictim = cluster.shards(DB).stream()
                .filter(s -> victim.equals(s.leader()))
                .map(ShardState::shard)
                .collect(Collectors.toSet());
        cluster.node(victim).kill();

        cluster.awaitGone(victim);
        cluster.await()
                .alias("leadership moved off " + victim)
                .until(() -> cluster.shards(DB).stream()
                        .filter(s -> ledByVictim.contains(s.shard()))
                        .allMatch(s -> s.leader() != null
                                && !s.leader().equals(victim)
                                && s.epoch() > epochsBefore.get(s.shard())));
        for (ShardState s : cluster.shards(DB)) {
            assertThat(s.replicas())
                    .as("replicas stay (repair waits 30 min)")
                    .containsExactlyInAnyOrderElementsOf(before.replicas());
            if (!ledByVictim.contains(s.shard())) {
                assertThat(s.epoch())
                        .as("a shard the victim did not lead keeps its epoch [shard=%s]", s.shard())
                        .isEqualTo(epochsBefore.get(s.shard()));
            }
        }
        // the surviving nodes take over the new epochs
        cluster.await().alias("survivors report the new epochs").until(() -> {
            MetaSnapshot s = cluster.truth();
            return NODES.stream().filter(n -> !n.equals(victim)).allMatch(n -> reportsCurrent(s, n, 2));
        });

        // restart the killed node on its data directory: it registers again and serves its replicas
        cluster.node(victim).start();
        cluster.awaitRegistered(victim);
        cluster.await()
                .alias(victim + " reports its replicas after the restart")
                .until(() -> reportsCurrent(cluster.truth(), victim, 2));
        assertThat(cluster.node(victim).starts()).isEqualTo(2);
        assertThat(Files.isDirectory(cluster.node(victim).dataDir().resolve(DB).resolve("shard-0")))
                .isTrue();
    }

    /** Whether {@code node}'s report lists {@code replicas} replicas of the database, each at the shard's epoch. */
    private static boolean reportsCurrent(MetaSnapshot s, String node, int replicas) {
        NodeReport r = s.reports().get(node);
        if (r == null) {
            return false;
        }
        var mine = r.replicas().stream()
                .filter(rr -> rr.knownState().db().equals(DB))
                .toList();
        return mine.size() == replicas
                && mine.stream().allMatch(rr -> {
                    ShardState current = s.state(rr.knownState().id());
                    return current != null && current.epoch() == rr.knownState().epoch();
                });
    }

    private static Map<Integer, Long> epochs(List<ShardState> shards) {
        Map<Integer, Long> m = new TreeMap<>();
        shards.forEach(s -> m.put(s.shard(), s.epoch()));
        return m;
    }
}
