package io.meridian.it;

import static io.meridian.it.harness.ShardClient.total;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.storage.v1.ReplicaHealth;
import io.meridian.common.rpc.storage.v1.WriteOutcome;
import io.meridian.it.harness.ClusterExtension;
import io.meridian.it.harness.MeridianCluster;
import io.meridian.it.harness.ShardClient;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 4's fault tests, with three storage node processes, real etcd and the master: kill -9 of a shard leader
 * while a writer streams batches with a {@code sum} field (nothing lost, nothing counted twice), the killed
 * node's return (it catches up and answers leaf queries like the leader), and a follower frozen with SIGSTOP
 * (it leaves the in-sync set and comes back).
 */
@ExtendWith(ClusterExtension.class)
class ReplicationFailoverIT {
    private static final String DB = "metrics";
    private static final List<String> NODES = List.of("s1", "s2", "s3");
    private static final Duration RETRY_BOUND = Duration.ofSeconds(60);
    /** Points go into the hour before the test started (well inside retention and the future tolerance). */
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;

    private static ShardClient startCluster(MeridianCluster cluster) {
        cluster.startEtcd();
        cluster.startMaster();
        NODES.forEach(cluster::startStorageNode);
        cluster.awaitRegistered(NODES.toArray(String[]::new));
        cluster.master().createCluster(new StorageCluster(MeridianCluster.CLUSTER, MeridianCluster.IDC));
        cluster.master()
                .createDatabase(new DatabaseConfig(
                        DB,
                        1,
                        3,
                        WriteConcern.MAJORITY,
                        List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("5m", "180d")),
                        List.of(MeridianCluster.CLUSTER)));
        ShardClient client = new ShardClient(cluster, DB, 1);
        cluster.await()
                .alias("shard 0 led and its leader serving")
                .until(() -> client.route(0).isPresent()
                        && client.replica(client.route(0).get().address(), 0)
                                .map(ReplicaHealth::getLeader)
                                .orElse(false));
        client.declare(0, "http", "requests", FieldType.SUM);
        return client;
    }

    /** Batch {@code seq}: one row of host h(seq mod 5) with requests = seq. */
    private static WriteBatch batch(long seq) {
        return WriteBatch.builder()
                .point(SeriesKey.of("http", "host", "h" + (seq % 5)), T0 + seq * 1_000L, "requests", seq)
                .build();
    }

    private static LeafQuery byHostPerMinute() {
        return new LeafQuery(
                "http", TagPredicate.all(), T0, T0 + 3_600_000L, 60_000L, List.of("host"), List.of("requests"));
    }

    private static void awaitSameLsn(MeridianCluster cluster, ShardClient client, List<String> nodes) {
        cluster.await().alias("replicas hold the same ops " + nodes).until(() -> {
            long leaderLsn = client.replica(client.route(0).orElseThrow().address(), 0)
                    .orElseThrow()
                    .getLastLsn();
            return nodes.stream()
                    .allMatch(n -> client.replica(cluster.node(n).address(), 0)
                            .map(h -> h.getLastLsn() == leaderLsn)
                            .orElse(false));
        });
    }

    @Test
    void aLeaderKilledMidStreamLosesNothingAndCountsNothingTwiceAndComesBackIdentical(MeridianCluster cluster)
            throws Exception {
        try (ShardClient client = startCluster(cluster)) {
            long total = 600;
            long killAfter = 200;
            AtomicLong acknowledged = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (long seq = 1; seq <= total; seq++) {
                    WriteOutcome o = client.write("writer-1", seq, batch(seq), RETRY_BOUND);
                    assertThat(o).isIn(WriteOutcome.WRITE_OUTCOME_APPLIED, WriteOutcome.WRITE_OUTCOME_DUPLICATE);
                    acknowledged.set(seq);
                }
            });
            cluster.await().alias("writer past " + killAfter).until(() -> acknowledged.get() >= killAfter);
            ShardState before = cluster.shards(DB).get(0);
            String victim = before.leader();
            long killedAtAck = acknowledged.get();
            long killedAt = System.nanoTime();
            cluster.node(victim).kill();
            cluster.await()
                    .alias("writes acknowledged again after the leader's kill -9")
                    .until(() -> acknowledged.get() > killedAtAck + 1);
            long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;
            writer.get();
            System.out.printf(
                    "failover: leader %s killed at batch %d; writes acknowledged again after %d ms; "
                            + "retries %d, duplicates %d%n",
                    victim, killedAtAck, failoverMs, client.retries(), client.duplicates());

            ShardState after = cluster.shards(DB).get(0);
            assertThat(after.leader()).isNotEqualTo(victim);
            assertThat(after.epoch()).isGreaterThan(before.epoch());
            String leaderAddress = client.route(0).orElseThrow().address();
            AggState sum = total(client.query(leaderAddress, 0, byHostPerMinute()));
            assertThat(sum.count()).as("every acknowledged batch, once").isEqualTo(total);
            assertThat(sum.sum())
                    .as("sum of 1..%d: nothing lost, nothing twice", total)
                    .isEqualTo(total * (total + 1) / 2.0);

            // the killed node returns, catches up, and answers leaf queries exactly like the leader
            cluster.node(victim).start();
            cluster.awaitRegistered(victim);
            awaitSameLsn(cluster, client, NODES);
            PartialTable onLeader = client.query(leaderAddress, 0, byHostPerMinute());
            for (String n : NODES) {
                PartialTable onReplica = client.query(cluster.node(n).address(), 0, byHostPerMinute());
                assertThat(onReplica.cells().keySet())
                        .as("groups on " + n)
                        .isEqualTo(onLeader.cells().keySet());
                for (List<String> g : onLeader.cells().keySet()) {
                    for (int b = 0; b < onLeader.buckets(); b++) {
                        assertThat(onReplica.cell(g, b, 0))
                                .as("cell %s/%d on %s", g, b, n)
                                .isEqualTo(onLeader.cell(g, b, 0));
                    }
                }
            }
            cluster.await()
                    .alias(victim + " back in the in-sync set")
                    .until(() -> cluster.shards(DB).get(0).inSync().contains(victim));
        }
    }

    @Test
    void aFrozenFollowerLeavesTheInSyncSetAndComesBack(MeridianCluster cluster) {
        try (ShardClient client = startCluster(cluster)) {
            for (long seq = 1; seq <= 50; seq++) {
                client.write("writer-1", seq, batch(seq), RETRY_BOUND);
            }
            ShardState before = cluster.shards(DB).get(0);
            String follower = before.replicas().stream()
                    .filter(n -> !n.equals(before.leader()))
                    .findFirst()
                    .orElseThrow();
            assertThat(before.inSync()).contains(follower);
            cluster.node(follower).pause();
            cluster.await()
                    .alias(follower + " out of the in-sync set")
                    .until(() -> !cluster.shards(DB).get(0).inSync().contains(follower));
            for (long seq = 51; seq <= 100; seq++) {
                assertThat(client.write("writer-1", seq, batch(seq), RETRY_BOUND))
                        .as("a majority is left")
                        .isEqualTo(WriteOutcome.WRITE_OUTCOME_APPLIED);
            }
            assertThat(cluster.shards(DB).get(0).leader())
                    .as("the leader stayed")
                    .isEqualTo(before.leader());
            cluster.node(follower).resume();
            cluster.await()
                    .alias(follower + " back in the in-sync set")
                    .until(() -> cluster.shards(DB).get(0).inSync().contains(follower));
            awaitSameLsn(cluster, client, NODES);
            AggState onFollower = total(client.query(cluster.node(follower).address(), 0, byHostPerMinute()));
            assertThat(onFollower.count()).isEqualTo(100);
            assertThat(onFollower.sum()).isEqualTo(100 * 101 / 2.0);
        }
    }

    @Test
    void aFollowerWithADamagedWalIsQuarantinedAndRefilledFromTheLeader(MeridianCluster cluster) throws Exception {
        try (ShardClient client = startCluster(cluster)) {
            for (long seq = 1; seq <= 100; seq++) {
                client.write("writer-1", seq, batch(seq), RETRY_BOUND);
            }
            awaitSameLsn(cluster, client, NODES);
            ShardState state = cluster.shards(DB).get(0);
            String follower = state.replicas().stream()
                    .filter(n -> !n.equals(state.leader()))
                    .findFirst()
                    .orElseThrow();
            cluster.node(follower).kill();
            Path walDir = cluster.node(follower)
                    .dataDir()
                    .resolve(DB)
                    .resolve("shard-0")
                    .resolve("wal");
            Path segment;
            try (Stream<Path> files = Files.list(walDir)) {
                segment = files.filter(p -> p.toString().endsWith(".wal"))
                        .max(Comparator.comparingLong(p -> p.toFile().length()))
                        .orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(segment);
            assertThat(bytes.length).as("the follower's WAL holds the ops").isGreaterThan(1000);
            bytes[bytes.length / 2] ^= 0x5A; // a flipped byte mid-segment: damage, not a torn tail
            byte[] damaged = Arrays.copyOf(bytes, bytes.length - 7); // and a torn tail
            Files.write(segment, damaged);
            for (long seq = 101; seq <= 120; seq++) {
                client.write("writer-1", seq, batch(seq), RETRY_BOUND);
            }
            cluster.node(follower).start();
            cluster.awaitRegistered(follower);
            awaitSameLsn(cluster, client, NODES);
            assertThat(cluster.node(follower).log())
                    .as("a clear log line names the file, the offset and what happens")
                    .contains("replica is damaged")
                    .contains(segment.getFileName().toString())
                    .contains("offset=")
                    .contains("moving it to quarantine and re-syncing from the leader");
            Path quarantined;
            try (Stream<Path> dirs = Files.list(
                    cluster.node(follower).dataDir().resolve("quarantine").resolve(DB))) {
                quarantined = dirs.findFirst().orElseThrow();
            }
            assertThat(Files.readAllBytes(quarantined.resolve("wal").resolve(segment.getFileName())))
                    .as("the damaged files are kept as they were, not cut")
                    .isEqualTo(damaged);
            AggState onFollower = total(client.query(cluster.node(follower).address(), 0, byHostPerMinute()));
            assertThat(onFollower.count()).isEqualTo(120);
            assertThat(onFollower.sum()).isEqualTo(120 * 121 / 2.0);
        }
    }

    @Test
    void aFrozenLeaderIsReplacedAndRejoinsAsAFollowerWithTheSameData(MeridianCluster cluster) {
        try (ShardClient client = startCluster(cluster)) {
            for (long seq = 1; seq <= 50; seq++) {
                client.write("writer-1", seq, batch(seq), RETRY_BOUND);
            }
            ShardState before = cluster.shards(DB).get(0);
            String leader = before.leader();
            cluster.node(leader).pause();
            // writes go on: the master promotes a follower once the frozen leader's lease expired
            for (long seq = 51; seq <= 100; seq++) {
                client.write("writer-1", seq, batch(seq), RETRY_BOUND);
            }
            ShardState during = cluster.shards(DB).get(0);
            assertThat(during.leader()).isNotEqualTo(leader);
            assertThat(during.epoch()).isGreaterThan(before.epoch());
            cluster.node(leader).resume();
            cluster.await()
                    .alias(leader + " registered again and back in the in-sync set")
                    .until(() -> cluster.truth().nodes().containsKey(leader)
                            && cluster.shards(DB).get(0).inSync().contains(leader));
            awaitSameLsn(cluster, client, NODES);
            for (String n : NODES) {
                AggState onNode = total(client.query(cluster.node(n).address(), 0, byHostPerMinute()));
                assertThat(onNode.count()).as("count on " + n).isEqualTo(100);
                assertThat(onNode.sum()).as("sum on " + n).isEqualTo(100 * 101 / 2.0);
            }
        }
    }
}
