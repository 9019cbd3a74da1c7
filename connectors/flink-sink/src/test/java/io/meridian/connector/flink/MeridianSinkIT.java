package io.meridian.connector.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.node.StorageNode;
import io.meridian.storage.testing.LocalStorageCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MeridianSink} in user-style DataStream jobs (a stream of POJOs mapped to points) on a Flink MiniCluster,
 * against real etcd, the master and three replicating storage nodes in this JVM. Each job's totals (count and
 * sum of a {@code sum} field over every shard) must equal what the records hold, exactly: through a task failure,
 * through a shard leader change, and without checkpointing (at least once, no fault).
 */
@ExtendWith(EtcdExtension.class)
class MeridianSinkIT {
    private static final long HOUR = 3_600_000L;
    private static final long T0 = (System.currentTimeMillis() / HOUR - 1) * HOUR;
    private static final int HOSTS = 50;
    private static final int SHARDS = 4;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path dir;

    /** A user's record: what a job has before it decides to write to Meridian. */
    public static class Request {
        public String host;
        public long timeMs;
        public double requests;

        public Request() {}

        static Request of(long i) {
            Request r = new Request();
            r.host = "h" + (i % HOSTS);
            r.timeMs = T0 + (i / HOSTS) * 10;
            r.requests = i % 7;
            return r;
        }
    }

    /** Count and sum of requests over records 0..n-1. */
    private static double expectedSum(long n) {
        double sum = 0;
        for (long i = 0; i < n; i++) {
            sum += i % 7;
        }
        return sum;
    }

    private static LocalStorageCluster cluster(EtcdProcess etcd, Path dir, String root) {
        return cluster(etcd, dir, root, "");
    }

    private static LocalStorageCluster cluster(EtcdProcess etcd, Path dir, String root, String storageSettings) {
        return new LocalStorageCluster(
                etcd,
                dir,
                root,
                3,
                new DatabaseConfig(
                        "web",
                        SHARDS,
                        3,
                        WriteConcern.MAJORITY,
                        List.of(IntervalSpec.parse("10s", "30d")),
                        List.of("c1")),
                storageSettings);
    }

    private static StreamExecutionEnvironment env(long checkpointMs) {
        return env(checkpointMs, new Configuration());
    }

    private static StreamExecutionEnvironment env(long checkpointMs, Configuration conf) {
        conf.set(PipelineOptions.GENERIC_TYPES, false); // fail fast on a Kryo fallback
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        if (checkpointMs > 0) {
            env.enableCheckpointing(checkpointMs);
        }
        return env;
    }

    private static DataStreamSource<Request> requests(StreamExecutionEnvironment env, long n, double perSecond) {
        return env.fromSource(
                new DataGeneratorSource<>(
                        Request::of, n, RateLimiterStrategy.perSecond(perSecond), TypeInformation.of(Request.class)),
                WatermarkStrategy.noWatermarks(),
                "requests");
    }

    private static MeridianSink<Request> sink(LocalStorageCluster c, DeliveryGuarantee guarantee) {
        return MeridianSink.forPoints(
                        "web",
                        (Request r) -> new MeridianPoint(
                                "http", Map.of("host", r.host), r.timeMs, Map.of("requests", r.requests)))
                .setEtcdEndpoints(c.etcdEndpoint())
                .setMetaRoot(c.root())
                .setIdc("idc1")
                .setSinkId("it")
                .setDeliveryGuarantee(guarantee)
                .setMaxBatchPoints(5_000)
                .build();
    }

    private static void assertExactTotals(LocalStorageCluster c, long n) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            AggState total = c.total("web", SHARDS, "http", "requests", T0, T0 + 2 * HOUR);
            assertThat(total.count()).as("points").isEqualTo(n);
            assertThat(total.sum()).as("sum of requests").isEqualTo(expectedSum(n));
        });
    }

    /** Fails the task once, after two checkpoints completed and a third of the records went by. */
    public static class FailOnce implements MapFunction<Request, Request>, CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicInteger CHECKPOINTS = new AtomicInteger();
        private final long after;
        private long seen;

        FailOnce(long after) {
            this.after = after;
        }

        @Override
        public Request map(Request r) {
            if (++seen > after && CHECKPOINTS.get() >= 2 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected task failure");
            }
            return r;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTS.incrementAndGet();
        }
    }

    @Test
    void exactlyOnceThroughATaskFailure(EtcdProcess etcd) throws Exception {
        long n = 300_000;
        try (LocalStorageCluster c = cluster(etcd, dir, "/sink-fail")) {
            StreamExecutionEnvironment env = env(200);
            requests(env, n, 100_000)
                    .map(new FailOnce(n / 6))
                    .returns(Request.class)
                    .sinkTo(sink(c, null))
                    .name("meridian");
            env.execute("sink-task-failure");
            assertThat(FailOnce.FAILED).as("the failure was injected").isTrue();
            assertExactTotals(c, n);
            assertThat(c.nodes.stream()
                            .mapToInt(node -> node.registry().replicas().stream()
                                    .mapToInt(r -> r.shard().pendingTransactions())
                                    .sum())
                            .sum())
                    .as("no staged transaction is left on a leader or follower")
                    .isZero();
        }
    }

    @Test
    void exactlyOnceUnderATinyNodeMemoryBound(EtcdProcess etcd) throws Exception {
        // a node-wide bound far below what a checkpoint stages: stages wait for flushes and are refused as busy,
        // and the sink sends just the refused batch again (back-pressure), not the whole transaction
        long n = 200_000;
        try (LocalStorageCluster c = cluster(etcd, dir, "/sink-busy", "memtable.node-limit: 256KiB")) {
            StreamExecutionEnvironment env = env(300);
            requests(env, n, 200_000).sinkTo(sink(c, null)).name("meridian");
            env.execute("sink-busy");
            assertExactTotals(c, n);
            double flushes = 0;
            for (StorageNode node : c.nodes) {
                assertThat(node.registry()
                                .meters()
                                .get("meridian.storage.memtable.node.limit.bytes")
                                .gauge()
                                .value())
                        .isEqualTo(256 * 1024);
                flushes += node.registry().meters().find("meridian.storage.flush").timers().stream()
                        .mapToDouble(Timer::count)
                        .sum();
            }
            assertThat(flushes)
                    .as("the bound made the 4 MiB memtables flush early")
                    .isPositive();
        }
    }

    @Test
    void preAggregatedExactlyOnceThroughATaskFailure(EtcdProcess etcd) throws Exception {
        // a point per host every 10 ms of event time: a thousand per 10 s slot, folded into one cell per checkpoint
        long n = 300_000;
        FailOnce.FAILED.set(false);
        FailOnce.CHECKPOINTS.set(0);
        try (LocalStorageCluster c = cluster(etcd, dir, "/sink-preagg")) {
            StreamExecutionEnvironment env = env(200);
            MeridianSink<ShardBatch> sink = MeridianSink.forShardBatches()
                    .setEtcdEndpoints(c.etcdEndpoint())
                    .setMetaRoot(c.root())
                    .setIdc("idc1")
                    .setSinkId("it-preagg")
                    .build();
            var failing = requests(env, n, 100_000).map(new FailOnce(n / 6)).returns(Request.class);
            MeridianAggregations.preAggregate(
                            failing,
                            "web",
                            (Request r) -> new MeridianPoint(
                                    "http", Map.of("host", r.host), r.timeMs, Map.of("requests", r.requests)),
                            sink,
                            PreAggregateOptions.defaults())
                    .sinkTo(sink)
                    .name("meridian");
            env.execute("sink-preaggregated-task-failure");
            assertThat(FailOnce.FAILED).as("the failure was injected").isTrue();
            assertExactTotals(c, n);
            double points = 0;
            double cells = 0;
            for (StorageNode node : c.nodes) {
                points +=
                        node
                                .registry()
                                .meters()
                                .find("meridian.storage.points.written")
                                .tag("db", "web")
                                .counters()
                                .stream()
                                .mapToDouble(Counter::count)
                                .sum();
                cells +=
                        node
                                .registry()
                                .meters()
                                .find("meridian.storage.cells.written")
                                .tag("db", "web")
                                .counters()
                                .stream()
                                .mapToDouble(Counter::count)
                                .sum();
            }
            // leaders and followers both count what they apply: the ratio is what matters
            assertThat(cells).as("cells stored for %s points", points).isLessThan(points / 20);
        }
    }

    /** A job's own window result: the requests of one host in one 10 s slot, folded. A Flink POJO. */
    public static class Window {
        public String host;
        public long slotStart;
        public long count;
        public double sum;
        public double min;
        public double max;
        public long firstTs;
        public double first;
        public long lastTs;
        public double last;

        public Window() {}
    }

    @Test
    void partialsAJobFoldedItselfAddUpExactly(EtcdProcess etcd) throws Exception {
        long n = 100_000;
        Map<List<Object>, AggState> folded = new LinkedHashMap<>();
        for (long i = 0; i < n; i++) {
            Request r = Request.of(i);
            folded.computeIfAbsent(List.of(r.host, Math.floorDiv(r.timeMs, 10_000L) * 10_000L), k -> AggState.empty())
                    .add(r.timeMs, r.requests);
        }
        List<Window> windows = new ArrayList<>();
        folded.forEach((k, st) -> {
            Window w = new Window();
            w.host = (String) k.get(0);
            w.slotStart = (Long) k.get(1);
            w.count = st.count();
            w.sum = st.sum();
            w.min = st.min();
            w.max = st.max();
            w.firstTs = st.firstTs();
            w.first = st.first();
            w.lastTs = st.lastTs();
            w.last = st.last();
            windows.add(w);
        });
        try (LocalStorageCluster c = cluster(etcd, dir, "/sink-partials")) {
            StreamExecutionEnvironment env = env(200);
            env.fromData(windows)
                    .sinkTo(MeridianSink.forPartials(
                                    "web",
                                    (Window w) -> new MeridianPartial(
                                            "http",
                                            Map.of("host", w.host),
                                            "requests",
                                            FieldType.GAUGE,
                                            w.slotStart,
                                            10_000,
                                            AggState.ofComponents(
                                                    w.count, w.sum, w.min, w.max, w.firstTs, w.first, w.lastTs,
                                                    w.last)))
                            .setEtcdEndpoints(c.etcdEndpoint())
                            .setMetaRoot(c.root())
                            .setIdc("idc1")
                            .setSinkId("it-partials")
                            .build())
                    .name("meridian");
            env.execute("sink-partials");
            assertExactTotals(c, n);
            AggState h0 = c.total("web", SHARDS, "http", "requests", T0, T0 + 10_000);
            AggState want = AggState.empty();
            folded.forEach((k, st) -> {
                if ((Long) k.get(1) == T0) {
                    want.merge(st);
                }
            });
            assertThat(h0.count()).isEqualTo(want.count());
            assertThat(h0.min()).isEqualTo(want.min());
            assertThat(h0.lastTs()).isEqualTo(want.lastTs());
        }
    }

    @Test
    void aBadPartialFailsTheJobNamingSeriesFieldAndSlot(EtcdProcess etcd) {
        try (LocalStorageCluster c = cluster(etcd, dir, "/sink-bad-partial")) {
            StreamExecutionEnvironment env = env(0);
            env.fromData(List.of(1L))
                    .sinkTo(MeridianSink.forPartials(
                                    "web",
                                    (Long i) -> new MeridianPartial(
                                            "http",
                                            Map.of("host", "a"),
                                            "requests",
                                            FieldType.GAUGE,
                                            T0,
                                            10_000,
                                            AggState.ofComponents(2, 8, 5, 3, T0 + 1, 5, T0 + 2, 3)))
                            .setEtcdEndpoints(c.etcdEndpoint())
                            .setMetaRoot(c.root())
                            .setIdc("idc1")
                            .build())
                    .name("meridian");
            assertThatThrownBy(() -> env.execute("sink-bad-partial"))
                    .rootCause()
                    .hasMessageContaining("invalid partial")
                    .hasMessageContaining("series=http,host=a")
                    .hasMessageContaining("field=requests")
                    .hasMessageContaining("min=5.0 max=3.0");
            assertThat(c.total("web", SHARDS, "http", "requests", T0, T0 + HOUR).count())
                    .isZero();
        }
    }

    @Test
    void exactlyOnceThroughAShardLeaderChange(EtcdProcess etcd) throws Exception {
        long n = 300_000;
        try (LocalStorageCluster c = cluster(etcd, dir, "/sink-failover")) {
            StreamExecutionEnvironment env = env(200);
            requests(env, n, 60_000)
                    .sinkTo(sink(c, DeliveryGuarantee.EXACTLY_ONCE))
                    .name("meridian");
            JobClient job = env.executeAsync("sink-leader-change");
            // once some checkpoints committed, the leader of shard 0 goes away; the master promotes a follower
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> c.total("web", SHARDS, "http", "requests", T0, T0 + 2 * HOUR)
                                    .count()
                            > n / 5);
            var before = c.cache.routing().leader("web", 0).orElseThrow();
            StorageNode victim = c.nodes.stream()
                    .filter(s -> s.self().id().equals(before.leader()))
                    .findFirst()
                    .orElseThrow();
            victim.close();
            job.getJobExecutionResult().get(120, TimeUnit.SECONDS);
            assertThat(c.cache.routing().leader("web", 0).orElseThrow().epoch())
                    .as("shard 0 failed over")
                    .isGreaterThan(before.epoch());
            assertExactTotals(c, n);
        }
    }

    @Test
    void atLeastOnceWithoutCheckpointingWritesEveryPoint(EtcdProcess etcd) throws Exception {
        long n = 50_000;
        try (LocalStorageCluster c = cluster(etcd, dir, "/sink-alo")) {
            StreamExecutionEnvironment env = env(0);
            MeridianSink<Request> sink = sink(c, null);
            requests(env, n, 100_000).sinkTo(sink).name("meridian");
            env.execute("sink-at-least-once");
            assertThat(sink.deliveryGuarantee())
                    .as("resolved from the job: no checkpointing")
                    .isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
            assertExactTotals(c, n);
        }
    }

    @Test
    void aBadRecordFailsTheJobNamingIt(EtcdProcess etcd) {
        try (LocalStorageCluster c = cluster(etcd, dir, "/sink-bad")) {
            StreamExecutionEnvironment env = env(0);
            env.setParallelism(1);
            requests(env, 10, 1_000)
                    .sinkTo(MeridianSink.forPoints(
                                    "web",
                                    (Request r) -> new MeridianPoint(
                                            "bad metric",
                                            Map.of("host", r.host),
                                            r.timeMs,
                                            Map.of("requests", r.requests)))
                            .setEtcdEndpoints(c.etcdEndpoint())
                            .setMetaRoot(c.root())
                            .setIdc("idc1")
                            .build());
            assertThatThrownBy(() -> env.execute("sink-bad-record"))
                    .hasStackTraceContaining("invalid metric name")
                    .hasStackTraceContaining("metric=bad metric");
            assertThat(c.total("web", SHARDS, "http", "requests", T0, T0 + 2 * HOUR)
                            .count())
                    .as("nothing written")
                    .isZero();
        }
    }

    @Test
    void anUnknownDatabaseFailsTheJobNamingIt(EtcdProcess etcd) {
        try (LocalStorageCluster c = cluster(etcd, dir, "/sink-nodb")) {
            StreamExecutionEnvironment env = env(0);
            env.setParallelism(1);
            requests(env, 10, 1_000)
                    .sinkTo(MeridianSink.forPoints(
                                    "nosuchdb",
                                    (Request r) -> new MeridianPoint(
                                            "http", Map.of("host", r.host), r.timeMs, Map.of("requests", r.requests)))
                            .setEtcdEndpoints(c.etcdEndpoint())
                            .setMetaRoot(c.root())
                            .setIdc("idc1")
                            .build());
            assertThatThrownBy(() -> env.execute("sink-unknown-db"))
                    .hasStackTraceContaining("unknown database [db=nosuchdb]");
        }
    }

    @Test
    void aJobRestoredFromACheckpointOlderThanItsLastCommitStopsSayingSo(EtcdProcess etcd) throws Exception {
        long n = 10_000_000; // more than the test waits for: runs are cancelled, keeping their checkpoints
        Path checkpoints = dir.resolve("checkpoints");
        try (LocalStorageCluster c = cluster(etcd, dir, "/sink-old-checkpoint")) {
            JobClient first = runFrom(c, checkpoints, n, null);
            committedMoreThan(c, 20_000);
            Path kept = cancelAndFindCheckpoint(first, checkpoints);
            // a second run restores that checkpoint and commits transactions after it
            long before = total(c);
            JobClient second = runFrom(c, checkpoints, n, kept);
            committedMoreThan(c, before + 20_000);
            second.cancel().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> second.getJobStatus().get().isGloballyTerminalState());
            long written = total(c);
            // a third run restores the same, now older, checkpoint: its next transaction already committed
            JobClient third = runFrom(c, checkpoints, n, kept);
            assertThatThrownBy(() -> third.getJobExecutionResult().get(120, TimeUnit.SECONDS))
                    .hasStackTraceContaining("already committed")
                    .hasStackTraceContaining("restored from a checkpoint older than the last one it committed");
            assertThat(total(c)).as("nothing written twice").isEqualTo(written);
        }
    }

    private static long total(LocalStorageCluster c) {
        return c.total("web", SHARDS, "http", "requests", T0, T0 + 2 * HOUR).count();
    }

    private static void committedMoreThan(LocalStorageCluster c, long points) {
        await().atMost(Duration.ofSeconds(60)).until(() -> total(c) > points);
    }

    /** The same job graph each time (uids fixed), restored from {@code restore} when not null. */
    private static JobClient runFrom(LocalStorageCluster c, Path checkpoints, long n, Path restore) throws Exception {
        StreamExecutionEnvironment env = env(100, retained(checkpoints));
        env.setParallelism(1);
        requests(env, n, 20_000)
                .uid("requests")
                .sinkTo(sink(c, DeliveryGuarantee.EXACTLY_ONCE))
                .uid("meridian");
        StreamGraph graph = env.getStreamGraph();
        if (restore != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restore.toString(), false));
        }
        return env.executeAsync(graph);
    }

    /** Cancels the job (its last checkpoint is retained) and returns that checkpoint's directory. */
    private static Path cancelAndFindCheckpoint(JobClient job, Path checkpoints) throws Exception {
        job.cancel().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> job.getJobStatus().get().isGloballyTerminalState());
        try (var files = Files.walk(checkpoints.resolve(job.getJobID().toString()))) {
            return files.filter(f -> f.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static Configuration retained(Path checkpoints) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        return conf;
    }
}
