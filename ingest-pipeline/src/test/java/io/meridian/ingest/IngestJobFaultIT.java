package io.meridian.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.AggState;
import io.meridian.common.model.IntervalSpec;
import io.meridian.connector.flink.ShardBatch;
import io.meridian.connector.kafka.MeridianKafkaProducer;
import io.meridian.connector.kafka.embedded.EmbeddedKafka;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.testing.LocalStorageCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole ingest job (Kafka source, decode, sink) exactly once under faults, against three replicating storage
 * nodes: a task failure injected mid-stream after checkpoints completed (the job restores: Kafka offsets rewind,
 * committables are committed again, the failed attempt's staged batches are dropped), and separately the leader
 * of a shard killed mid-stream. The points are dense (a hundred per series per slot), so what reaches storage is
 * the job's pre-aggregated partials. The {@code sum} field's count and total must equal the produced ones exactly.
 */
@ExtendWith(EtcdExtension.class)
class IngestJobFaultIT {
    private static final long HOUR = 3_600_000L;
    private static final long T0 = (System.currentTimeMillis() / HOUR - 2) * HOUR;
    private static final int SHARDS = 4;
    private static final int HOSTS = 100;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    /** {@code records} lp records of 1,000 lines (10 rows of every host); requests = line number mod 5. */
    private static long[] produce(String topic, int records) throws Exception {
        long count = 0;
        long sum = 0;
        try (MeridianKafkaProducer producer = new MeridianKafkaProducer(kafka.bootstrapServers(), topic)) {
            for (int r = 0; r < records; r++) {
                StringBuilder sb = new StringBuilder(40_000);
                for (int row = 0; row < 10; row++) {
                    for (int h = 0; h < HOSTS; h++) {
                        long i = (long) r * 1000 + row * HOSTS + h;
                        sb.append("hits,host=h")
                                .append(h)
                                .append(" requests=")
                                .append(i % 5)
                                .append(' ')
                                .append(T0 + (r * 10L + row) * 100)
                                .append('\n');
                        count++;
                        sum += i % 5;
                    }
                }
                producer.send("faults", sb.toString(), Precision.MILLISECONDS);
            }
            producer.flush();
        }
        return new long[] {count, sum};
    }

    private static LocalStorageCluster cluster(EtcdProcess etcd, Path dir, String root) {
        return new LocalStorageCluster(
                etcd,
                dir,
                root,
                3,
                new DatabaseConfig(
                        "faults",
                        SHARDS,
                        3,
                        WriteConcern.MAJORITY,
                        List.of(IntervalSpec.parse("10s", "30d")),
                        List.of("c1")));
    }

    private static IngestJobConfig config(LocalStorageCluster c, String topic) {
        return IngestTestJobs.config(c, kafka, topic, Duration.ofMillis(100), 5000);
    }

    private static void assertExact(LocalStorageCluster c, long[] produced) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            AggState total = c.total("faults", SHARDS, "hits", "requests", T0, T0 + 2 * HOUR);
            assertThat(total.count()).as("points").isEqualTo(produced[0]);
            assertThat(total.sum()).as("sum").isEqualTo((double) produced[1]);
        });
        // a hundred points per host per 10 s slot: the job's pre-aggregation folded them into cells (counted on
        // every replica that applied them, the killed node's gone with it)
        double points = c.counter("faults", "meridian.storage.points.written");
        double cells = c.counter("faults", "meridian.storage.cells.written");
        assertThat(cells)
                .as("cells stored for %.0f points", points)
                .isGreaterThan(0)
                .isLessThan(points / 4);
    }

    /** Fails the task once, after two checkpoints completed and some batches went by. */
    public static class FailOnce implements MapFunction<ShardBatch, ShardBatch>, CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicInteger CHECKPOINTS = new AtomicInteger();
        private long seen;

        @Override
        public ShardBatch map(ShardBatch b) {
            if (++seen > 50 && CHECKPOINTS.get() >= 2 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected task failure");
            }
            return b;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTS.incrementAndGet();
        }
    }

    @Test
    void aTaskFailureMidStreamLosesAndRepeatsNothing(EtcdProcess etcd) throws Exception {
        String topic = "faults-task";
        kafka.createTopic(topic, SHARDS);
        kafka.createTopic(topic + ".dlq", 1);
        long[] produced = produce(topic, 2_000);
        try (LocalStorageCluster c = cluster(etcd, dir, "/ingest-task-failure")) {
            IngestJobConfig config = config(c, topic);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(IngestJob.flinkConfiguration(config));
            IngestJob.build(
                    env,
                    config,
                    s -> s.map(new FailOnce()).returns(ShardBatch.class).name("fail once"));
            env.execute("ingest-task-failure");
            assertThat(FailOnce.FAILED)
                    .as("the failure was injected mid-stream")
                    .isTrue();
            assertExact(c, produced);
        }
    }

    @Test
    void aShardLeaderKilledMidStreamLosesAndRepeatsNothing(EtcdProcess etcd) throws Exception {
        String topic = "faults-leader";
        kafka.createTopic(topic, SHARDS);
        kafka.createTopic(topic + ".dlq", 1);
        long[] produced = produce(topic, 3_000);
        try (LocalStorageCluster c = cluster(etcd, dir, "/ingest-leader-change")) {
            IngestJobConfig config = config(c, topic);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(IngestJob.flinkConfiguration(config));
            IngestJob.build(env, config);
            JobClient job = env.executeAsync("ingest-leader-change");
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> c.total("faults", SHARDS, "hits", "requests", T0, T0 + 2 * HOUR)
                                    .count()
                            > 0);
            var before = c.cache.routing().leader("faults", 0).orElseThrow();
            StorageNode victim = c.nodes.stream()
                    .filter(s -> s.self().id().equals(before.leader()))
                    .findFirst()
                    .orElseThrow();
            victim.close();
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS))
                    .as("killed while the job was writing")
                    .isIn(JobStatus.RUNNING, JobStatus.RESTARTING);
            job.getJobExecutionResult().get(180, TimeUnit.SECONDS);
            assertThat(c.cache.routing().leader("faults", 0).orElseThrow().epoch())
                    .as("shard 0 failed over")
                    .isGreaterThan(before.epoch());
            assertExact(c, produced);
        }
    }
}
