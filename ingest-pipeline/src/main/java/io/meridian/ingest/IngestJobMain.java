package io.meridian.ingest;

import io.meridian.common.error.InvalidInputException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/meridian ingest-job --config FILE}: runs the ingest job. Started with {@code java} it runs on an
 * embedded Flink MiniCluster in this process; submitted with {@code flink run -c io.meridian.ingest.IngestJobMain
 * JAR --config FILE} it runs on that Flink cluster (Flink picks the environment).
 *
 * <p>Exit codes: 0 when a bounded job finished, 1 when it could not start or failed (bad configuration names the
 * key and file), 2 for bad command-line usage.
 */
@Command(name = "ingest-job", mixinStandardHelpOptions = true,
        description = "Run the Meridian ingest job: Kafka -> Flink -> storage (see docs/configuration.md).")
public final class IngestJobMain implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "YAML configuration file (ingest.*, meta.*, node.idc)")
    Path config;

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
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                IngestJob.flinkConfiguration(cfg));
        IngestJob.build(env, cfg);
        log.info("ingest job starting [topic={}, dlq={}, bootstrap={}, etcd={}, checkpoint={}]", cfg.topic(),
                cfg.dlqTopic(), cfg.bootstrapServers(), cfg.etcdEndpoints(), cfg.checkpointInterval());
        env.execute("meridian-ingest");
        return 0;
    }
}
