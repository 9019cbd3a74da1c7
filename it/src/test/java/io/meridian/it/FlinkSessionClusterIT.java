package io.meridian.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.lineprotocol.Precision;
import io.meridian.common.model.AggState;
import io.meridian.common.model.IntervalSpec;
import io.meridian.connector.kafka.MeridianKafkaProducer;
import io.meridian.connector.kafka.embedded.EmbeddedKafka;
import io.meridian.it.harness.FlinkSessionCluster;
import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.WriteConcern;
import io.meridian.storage.testing.LocalStorageCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ingest job as a job jar ({@code meridian-ingest-pipeline-<version>-job.jar}, built by ingest-pipeline's
 * shade execution) on a real Flink session cluster: a JobManager and a TaskManager JVM whose class path holds
 * Flink and nothing of Meridian or Kafka, the jar submitted with {@code flink run -d} (Flink's CliFrontend, a
 * third JVM) over REST. Kafka (in this JVM), etcd (child process) and the storage node (in this JVM) are on
 * 127.0.0.1. The bounded job reads every point produced to the topic and finishes; the storage node then holds
 * exactly those points (count and sum), and nothing was dead-lettered.
 *
 * <p>Files: {@code it/target/it-clusters/FlinkSessionClusterIT/} (Flink conf and process logs, storage data,
 * the job's ingest.yaml), kept after the run; the logs are printed when the test fails.
 */
@ExtendWith(EtcdExtension.class)
class FlinkSessionClusterIT {
    /** System property (it/pom.xml's failsafe configuration): the job jar resolved by Maven. */
    static final String JOB_JAR_PROPERTY = "meridian.it.ingest-job-jar";

    private static final Path DIR =
            Path.of("target", "it-clusters", "FlinkSessionClusterIT").toAbsolutePath();
    private static final long HOUR = 3_600_000L;
    private static final String DB = "metrics";
    private static final int SHARDS = 2;
    private static final int POINTS = 20_000;
    private static final int LINES_PER_RECORD = 1_000;
    private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

    static FlinkSessionCluster flink;
    static EmbeddedKafka kafka;

    @RegisterExtension
    static final AfterTestExecutionCallback LOGS_ON_FAILURE = context -> {
        if (context.getExecutionException().isPresent() && flink != null) {
            flink.printLogs(System.out);
        }
    };

    @BeforeAll
    static void start() throws Exception {
        deleteRecursively(DIR);
        flink = FlinkSessionCluster.start(DIR.resolve("flink")); // two JVMs come up while Kafka starts here
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (flink != null) {
                flink.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void theJobJarRunsOnASessionClusterAndEveryPointArrives(EtcdProcess etcd) throws Exception {
        Path jobJar = jobJar();
        String topic = "ingest-session";
        kafka.createTopic(topic, SHARDS);
        kafka.createTopic(topic + ".dlq", 1);
        long t0 = (System.currentTimeMillis() / HOUR - 1) * HOUR; // the previous hour: inside the write window
        try (LocalStorageCluster storage = new LocalStorageCluster(
                        etcd,
                        DIR.resolve("storage"),
                        "/flink-session",
                        1,
                        new DatabaseConfig(
                                DB,
                                SHARDS,
                                1,
                                WriteConcern.LEADER,
                                List.of(IntervalSpec.parse("10s", "30d")),
                                List.of("c1")));
                MeridianKafkaProducer producer = new MeridianKafkaProducer(kafka.bootstrapServers(), topic)) {
            // 20 records of 1,000 lines: 50 series, one point every 10 ms, values 0..99
            double sum = 0;
            StringBuilder lines = new StringBuilder(LINES_PER_RECORD * 48);
            for (int i = 0; i < POINTS; i++) {
                double value = i % 100;
                sum += value;
                lines.append("session_it,host=h")
                        .append(i % 50)
                        .append(" value=")
                        .append(value)
                        .append(' ')
                        .append(t0 + i * 10L)
                        .append('\n');
                if ((i + 1) % LINES_PER_RECORD == 0) {
                    producer.send(DB, lines.toString(), Precision.MILLISECONDS);
                    lines.setLength(0);
                }
            }
            producer.flush();
            assertThat(kafka.endOffsets(topic).values().stream()
                            .mapToLong(Long::longValue)
                            .sum())
                    .as("records in %s", topic)
                    .isEqualTo(POINTS / LINES_PER_RECORD);

            Path config = DIR.resolve("ingest.yaml");
            Files.writeString(config, """
                    node.idc: idc1
                    meta: {etcd.endpoints: %s, root: %s}
                    ingest:
                      kafka: {bootstrap-servers: %s, topic: %s, dlq-topic: %s.dlq, bounded: true}
                      parallelism: 2
                      checkpoint.interval: 200ms
                    """.formatted(
                            storage.etcdEndpoint(), storage.root(), kafka.bootstrapServers(), topic, topic));

            flink.awaitReady(Duration.ofSeconds(60));
            int exit = flink.flinkCli(
                    SUBMIT_TIMEOUT,
                    "run",
                    "-d",
                    "-m",
                    flink.restAddress(),
                    "-c",
                    "io.meridian.ingest.IngestJobMain",
                    jobJar.toString(),
                    "--config",
                    config.toString());
            assertThat(exit)
                    .as("exit code of flink run (output in %s)", flink.cliLogFile())
                    .isZero();

            List<JobStatusMessage> jobs = List.copyOf(flink.client().listJobs().get(10, TimeUnit.SECONDS));
            assertThat(jobs).as("jobs on the session cluster").hasSize(1);
            assertThat(jobs.get(0).getJobName()).isEqualTo("meridian-ingest");
            var job = jobs.get(0).getJobId();
            JobStatus status = flink.awaitTerminal(job, JOB_TIMEOUT);
            assertThat(status)
                    .as("final status of job %s; failure: %s", job, flink.failureOf(job))
                    .isEqualTo(JobStatus.FINISHED);

            AggState got = storage.total(DB, SHARDS, "session_it", "value", t0, t0 + HOUR);
            assertThat(got.count()).as("points in the storage node").isEqualTo(POINTS);
            assertThat(got.sum()).as("sum of the values in the storage node").isEqualTo(sum);
            assertThat(kafka.endOffsets(topic + ".dlq").values())
                    .as("dead letters")
                    .containsOnly(0L);
        }
    }

    /** The job jar Maven resolved (a dependency of this module with classifier job). */
    private static Path jobJar() {
        String jar = System.getProperty(JOB_JAR_PROPERTY);
        if (jar == null || jar.startsWith("${")) {
            throw new IllegalStateException("system property " + JOB_JAR_PROPERTY + " is not set [value=" + jar
                    + "]: run the test through failsafe (mvn -pl it verify -Dit.test=FlinkSessionClusterIT)");
        }
        Path p = Path.of(jar);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("job jar missing [" + JOB_JAR_PROPERTY + "=" + jar + "]: build it with"
                    + " mvn -pl ingest-pipeline -am install -DskipTests");
        }
        return p;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
