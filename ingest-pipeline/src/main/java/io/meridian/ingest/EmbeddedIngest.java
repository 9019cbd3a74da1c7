package io.meridian.ingest;

import io.meridian.common.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobExecutionStatusEvent;
import org.apache.flink.core.execution.JobStatusChangedListener;
import org.apache.flink.core.execution.JobStatusChangedListenerFactory;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest job on a Flink MiniCluster inside this process (standalone mode): small memory, the Flink web UI on
 * a free loopback port, and checkpoints retained under {@code <dir>/checkpoints}. A start on the same directory
 * resumes from the newest retained checkpoint, so Kafka offsets and the sink's pending commits carry over a
 * restart (or a crash) exactly once; the job is cancelled, not drained, on {@link #close()}.
 */
public final class EmbeddedIngest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedIngest.class);
    private static final long START_TIMEOUT_SECONDS = 60;

    private final MiniCluster cluster;
    private final JobID job;
    private final Path checkpoints;

    private EmbeddedIngest(MiniCluster cluster, JobID job, Path checkpoints) {
        this.cluster = cluster;
        this.job = job;
        this.checkpoints = checkpoints;
    }

    /**
     * Starts the MiniCluster and submits the job; returns once the job is running.
     *
     * @param config its {@code checkpointDir} is ignored: checkpoints go under {@code dir}
     */
    public static EmbeddedIngest start(IngestJobConfig config, Path dir) throws Exception {
        Path checkpoints = dir.resolve("checkpoints").toAbsolutePath();
        Files.createDirectories(checkpoints);
        Configuration conf = IngestJob.flinkConfiguration(config);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 2);
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("16m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("16m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("16m"));
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, 0);
        List<String> listeners = new ArrayList<>(
                conf.getOptional(DeploymentOptions.JOB_STATUS_CHANGED_LISTENERS).orElse(List.of()));
        listeners.add(StatusListenerFactory.class.getName());
        conf.set(DeploymentOptions.JOB_STATUS_CHANGED_LISTENERS, listeners);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(config.parallelism())
                .setCommonBindAddress("127.0.0.1")
                .build());
        cluster.start();
        try {
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
            IngestJob.build(env, config);
            StreamGraph graph = env.getStreamGraph();
            graph.setJobName("meridian-ingest");
            JobID id = new JobID();
            graph.setJobId(id);
            Optional<Path> restore = latestCheckpoint(checkpoints);
            restore.ifPresent(
                    p -> graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(p.toString(), false)));
            CompletableFuture<JobStatus> started = StatusListenerFactory.register(id); // before the job can start
            EmbeddedIngest ingest;
            try {
                JobID job = cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
                ingest = new EmbeddedIngest(cluster, job, checkpoints);
                ingest.awaitRunning(started);
            } finally {
                StatusListenerFactory.unregister(id);
            }
            LOG.info(
                    "ingest job running [job={}, restoredFrom={}, flinkUi={}]",
                    ingest.job,
                    restore.orElse(null),
                    ingest.webUi());
            ingest.dropOlderJobs(restore);
            return ingest;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * Waits for the JobMaster's first RUNNING or terminal status event ({@code started}), or for the job's result: a
     * job that fails before it has an execution graph (e.g. its restore) only completes that.
     */
    private void awaitRunning(CompletableFuture<JobStatus> started) throws Exception {
        CompletableFuture<JobResult> result = cluster.requestJobResult(job);
        JobStatus s;
        try {
            CompletableFuture.anyOf(started, result).get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            s = started.isDone() ? started.join() : result.join().getJobStatus().orElse(JobStatus.FAILED);
        } catch (TimeoutException e) {
            s = cluster.getJobStatus(job).get(10, TimeUnit.SECONDS);
        }
        if (s != JobStatus.RUNNING && s != JobStatus.FINISHED) { // a bounded job may be done already
            throw new IllegalStateException(
                    "the ingest job did not start [job=" + job + ", status=" + s + "]: see the log above");
        }
    }

    /**
     * Creates, for each JobMaster of the embedded cluster ({@link DeploymentOptions#JOB_STATUS_CHANGED_LISTENERS}),
     * a listener that completes the future {@link #register registered} for a job with its first RUNNING or
     * terminal status. Flink instantiates it by name, hence the static map of futures by job id.
     */
    public static final class StatusListenerFactory implements JobStatusChangedListenerFactory {
        private static final Map<JobID, CompletableFuture<JobStatus>> STARTED = new ConcurrentHashMap<>();

        static CompletableFuture<JobStatus> register(JobID job) {
            return STARTED.computeIfAbsent(job, j -> new CompletableFuture<>());
        }

        static void unregister(JobID job) {
            STARTED.remove(job);
        }

        @Override
        public JobStatusChangedListener createListener(Context context) {
            return event -> {
                if (event instanceof JobExecutionStatusEvent e
                        && (e.newStatus() == JobStatus.RUNNING || e.newStatus().isTerminalState())) {
                    CompletableFuture<JobStatus> f = STARTED.get(e.jobId());
                    if (f != null) {
                        f.complete(e.newStatus());
                    }
                }
            };
        }
    }

    /** The Flink web UI (job graph, checkpoints, back-pressure). */
    public URI webUi() throws Exception {
        return cluster.getRestAddress().get(10, TimeUnit.SECONDS);
    }

    /** The job's status (RUNNING while it ingests; RESTARTING after a failure, until it recovers). */
    public JobStatus status() throws Exception {
        return cluster.getJobStatus(job).get(10, TimeUnit.SECONDS);
    }

    /**
     * Waits until the job ends (a bounded job finishes; an unbounded one ends by failing or being cancelled): its
     * result future completes once the job reached a globally terminal state.
     */
    public JobStatus awaitTermination() throws Exception {
        JobResult result = cluster.requestJobResult(job).get();
        return result.getJobStatus().isPresent() ? result.getJobStatus().get() : status();
    }

    /** The newest {@code <checkpoints>/<job id>/chk-N} that has its {@code _metadata} (a completed checkpoint). */
    static Optional<Path> latestCheckpoint(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(checkpoints)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(EmbeddedIngest::completed)
                    .max(Comparator.comparingLong(EmbeddedIngest::modified));
        }
    }

    private static Stream<Path> completed(Path jobDir) {
        try (Stream<Path> s = Files.list(jobDir)) {
            return s
                    .filter(p -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")))
                    .toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the checkpoints of earlier runs other than the one this run restored from. */
    private void dropOlderJobs(Optional<Path> restoredFrom) throws IOException {
        Path keep = restoredFrom.map(p -> p.getParent()).orElse(null);
        try (Stream<Path> jobs = Files.list(checkpoints)) {
            for (Path d : jobs.filter(Files::isDirectory).toList()) {
                if (!d.equals(keep) && !d.getFileName().toString().equals(job.toString())) {
                    FileTrees.delete(d);
                }
            }
        }
    }

    /** Cancels the job (its last checkpoint is kept for the next start) and stops the MiniCluster. */
    @Override
    public void close() throws Exception {
        try {
            cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("cancelling the ingest job failed [job={}]: {}", job, e.getMessage());
        } finally {
            cluster.close();
        }
    }
}
