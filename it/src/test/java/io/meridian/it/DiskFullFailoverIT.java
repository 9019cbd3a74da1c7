package io.meridian.it;

import static io.meridian.it.harness.ShardClient.total;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.ReplicaHealth;
import io.meridian.common.rpc.storage.v1.WriteOutcome;
import io.meridian.it.harness.ClusterExtension;
import io.meridian.it.harness.MeridianCluster;
import io.meridian.it.harness.NodeSettings;
import io.meridian.it.harness.ShardClient;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real full disk in a multi-process cluster (issue #16): three storage node processes, each on its own 128 MiB
 * tmpfs (mounted by the test, which runs as root like the test command), one shard with three replicas. The
 * leader's disk is filled to just above its watermark: it refuses writes (DISK_FULL) before ENOSPC, reports its
 * replica as sick, and the master moves leadership to a replica that has room; the writer, retrying, goes on there.
 * Nothing acknowledged is lost or counted twice, and once the ballast is removed the old leader is healthy again and
 * holds the same data.
 */
@ExtendWith(ClusterExtension.class)
class DiskFullFailoverIT {
    private static final String DB = "metrics";
    private static final List<String> NODES = List.of("s1", "s2", "s3");
    private static final long WATERMARK = 32L << 20;
    private static final Duration RETRY_BOUND = Duration.ofSeconds(60);
    private static final long T0 = (System.currentTimeMillis() / 3_600_000L - 1) * 3_600_000L;

    private final List<Path> mounts = new ArrayList<>();

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed (this test mounts tmpfs file systems and needs root or"
                    + " CAP_SYS_ADMIN, as the test command runs): " + out);
        }
    }

    private static WriteBatch batch(long seq) {
        return WriteBatch.builder()
                .point(SeriesKey.of("http", "host", "h" + (seq % 5)), T0 + seq * 1_000L, "requests", seq)
                .build();
    }

    private static LeafQuery everything() {
        return new LeafQuery(
                "http", TagPredicate.all(), T0, T0 + 3_600_000L, 60_000L, List.of("host"), List.of("requests"));
    }

    @Test
    void aLeaderWhoseDiskFillsHandsLeadershipToAReplicaWithRoomAndLosesNothing(MeridianCluster cluster)
            throws Exception {
        cluster.startEtcd();
        cluster.startMaster();
        try {
            for (String id : NODES) {
                Path data = cluster.dir().resolve("nodes").resolve(id).resolve("data");
                Files.createDirectories(data);
                run("mount", "-t", "tmpfs", "-o", "size=128m", "tmpfs", data.toString());
                mounts.add(data);
                cluster.startStorageNode(NodeSettings.of(id)
                        .with("storage.disk.min-free-percent", "0")
                        .with("storage.disk.min-free-floor", "32MiB"));
            }
            cluster.awaitRegistered(NODES.toArray(String[]::new));
            cluster.master().createCluster(new StorageCluster(MeridianCluster.CLUSTER, MeridianCluster.IDC));
            cluster.master()
                    .createDatabase(new DatabaseConfig(
                            DB,
                            1,
                            3,
                            WriteConcern.MAJORITY,
                            List.of(IntervalSpec.parse("10s", "30d")),
                            List.of(MeridianCluster.CLUSTER)));
            try (ShardClient client = new ShardClient(cluster, DB, 1)) {
                cluster.await()
                        .alias("shard 0 led")
                        .until(() -> client.route(0).isPresent()
                                && client.replica(client.route(0).get().address(), 0)
                                        .map(ReplicaHealth::getLeader)
                                        .orElse(false));
                client.declare(0, "http", "requests", FieldType.SUM);
                for (long seq = 1; seq <= 50; seq++) {
                    client.write("writer-1", seq, batch(seq), RETRY_BOUND);
                }
                ShardState before = cluster.shards(DB).get(0);
                String full = before.leader();
                Path fullData = cluster.node(full).dataDir();
                Path ballast = fullData.resolve("ballast");
                long usable = Files.getFileStore(fullData).getUsableSpace();
                try (RandomAccessFile f = new RandomAccessFile(ballast.toFile(), "rw")) {
                    byte[] chunk = new byte[1 << 20];
                    for (long left = usable - WATERMARK + (1L << 20); left > 0; left -= chunk.length) {
                        f.write(chunk, 0, (int) Math.min(chunk.length, left)); // one MiB below the watermark
                    }
                }
                for (long seq = 51; seq <= 150; seq++) {
                    WriteOutcome o = client.write("writer-1", seq, batch(seq), RETRY_BOUND);
                    assertThat(o).isIn(WriteOutcome.WRITE_OUTCOME_APPLIED, WriteOutcome.WRITE_OUTCOME_DUPLICATE);
                }
                ShardState after = cluster.shards(DB).get(0);
                assertThat(after.leader())
                        .as("leadership left the node whose disk is full")
                        .isNotEqualTo(full);
                assertThat(after.epoch()).isGreaterThan(before.epoch());
                assertThat(cluster.node(full).log())
                        .as("the full node says so, naming its directory")
                        .contains("data directory is at its free-space watermark; refusing writes")
                        .contains("dir=" + fullData);
                AggState onLeader =
                        total(client.query(client.route(0).orElseThrow().address(), 0, everything()));
                assertThat(onLeader.count())
                        .as("every acknowledged batch, once")
                        .isEqualTo(150);
                assertThat(onLeader.sum()).isEqualTo(150 * 151 / 2.0);

                Files.delete(ballast);
                cluster.await()
                        .alias("the old leader has room again and holds the same data")
                        .untilAsserted(() -> {
                            AggState onOld =
                                    total(client.query(cluster.node(full).address(), 0, everything()));
                            assertThat(onOld.count()).isEqualTo(150);
                            assertThat(onOld.sum()).isEqualTo(150 * 151 / 2.0);
                        });
                cluster.await()
                        .alias("the old leader notices the space")
                        .untilAsserted(() -> assertThat(cluster.node(full).log())
                                .contains("data directory has room again; taking writes"));
            }
        } finally {
            for (Path m : mounts) {
                new ProcessBuilder("umount", "-l", m.toString()).start().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
