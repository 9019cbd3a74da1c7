package io.meridian.ingest;

import io.meridian.common.error.InvalidInputException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the ingest job. {@code bin/meridian ingest-job --config FILE} passes {@code --embedded}: the job runs on a
 * Flink MiniCluster in this process, with checkpoints retained under {@code ingest.checkpoint.dir} (a local
 * directory, default {@code data/ingest-job}) so that a restart resumes from the last one, until SIGTERM. Submitted
 * with {@code flink run -c io.meridian.ingest.IngestJobMain JAR --config FILE} it runs on that Flink cluster, which
 * owns restarts and savepoints.
 *
 * <p>Exit codes: 0 when a bounded job finished, 1 when it could not start or failed (bad configuration names the
 * key and file), 2 for bad command-line usage.
 */
@Command(
        name = "ingest-job",
        mixinStandardHelpOptions = true,
        description = "Run the Meridian ingest job: Kafka -> Flink -> storage (see docs/configuration.md).")
public final class IngestJobMain implements Callable<Integer> {
    @Option(
            names = {"-c", "--config"},
            required = true,
            paramLabel = "FILE",
            description = "YAML configuration file (ingest.*, meta.*, node.idc)")
    Path config;

    @Option(
            names = "--embedded",
            description = "run on a Flink MiniCluster in this process, resuming from the last"
                    + " checkpoint under ingest.checkpoint.dir (bin/meridian ingest-job)")
    boolean embedded;

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "meridian-log4j2.xml");
        }
        System.exit(new CommandLine(new IngestJobMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Logger log = LoggerFactory.getLogger(IngestJobMain.class);
        IngestJobConfig cfg;
        try {
            cfg = IngestJobConfig.load(config);
        } catch (InvalidInputException e) {
            log.error("ingest job did not start [config={}]: {}", config, e.getMessage());
            return 1;
        }
        if (embedded) {
            return runEmbedded(cfg, log);
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(IngestJob.flinkConfiguration(cfg));
        IngestJob.build(env, cfg);
        log.info(
                "ingest job starting [topic={}, dlq={}, bootstrap={}, etcd={}, checkpoint={}]",
                cfg.topic(),
                cfg.dlqTopic(),
                cfg.bootstrapServers(),
                cfg.etcdEndpoints(),
                cfg.checkpointInterval());
        env.execute("meridian-ingest");
        return 0;
    }

    private static int runEmbedded(IngestJobConfig cfg, Logger log) throws Exception {
        String dir = cfg.checkpointDir().isEmpty()
                ? "data/ingest-job"
                : cfg.checkpointDir().replaceFirst("^file://", "");
        EmbeddedIngest ingest;
        try {
            ingest = EmbeddedIngest.start(cfg, Path.of(dir));
        } catch (Exception e) {
            log.error("ingest job did not start: {}", e.getMessage(), e);
            return 1;
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                ingest.close();
                            } catch (Exception e) {
                                log.warn("stopping the ingest job failed: {}", e.getMessage());
                            }
                        },
                        "ingest-job-shutdown"));
        log.info(
                "ingest job running on an embedded Flink [topic={}, checkpoints={}/checkpoints, flinkUi={}]",
                cfg.topic(),
                dir,
                ingest.webUi());
        JobStatus end = ingest.awaitTermination();
        log.info("ingest job ended [status={}]", end);
        return end == JobStatus.FINISHED ? 0 : 1;
    }
}
