package io.meridian.deploy;

import io.meridian.common.config.ConfigException;
import io.meridian.common.model.Durations;
import io.meridian.meta.etcd.EtcdBinaryMissingException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/meridian standalone}: Meridian on one machine until Ctrl-C / SIGTERM, which stops the broker, the
 * storage node and etcd cleanly. Prints what it serves once ready.
 *
 * <p>Exit codes: 0 after a clean stop, 1 when it could not start (the reason is printed), 2 for bad usage.
 */
@Command(
        name = "standalone",
        mixinStandardHelpOptions = true,
        description = "Run Meridian on this machine: etcd, Kafka, the Flink ingest job, a storage node and a broker;"
                + " data under one directory.")
public final class StandaloneMain implements Callable<Integer> {
    static final String LOG_CONFIG = "meridian-log4j2.xml";

    @Option(
            names = "--data-dir",
            defaultValue = "data",
            paramLabel = "DIR",
            description =
                    "where every role keeps its data (default: ${DEFAULT-VALUE}); starting again on it keeps the data")
    Path dataDir;

    @Option(
            names = "--http-port",
            defaultValue = "8080",
            paramLabel = "PORT",
            description = "the broker's HTTP port: API, SQL and JDBC (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(
            names = "--kafka-port",
            defaultValue = "9092",
            paramLabel = "PORT",
            description = "the embedded Kafka broker's port (default: ${DEFAULT-VALUE}); 0 picks a free one")
    int kafkaPort;

    @Option(
            names = "--direct",
            description = "no Kafka and no Flink: the broker writes straight to the storage "
                    + "node (smallest footprint; a write is visible once acknowledged)")
    boolean direct;

    @Option(
            names = "--kafka-fsync",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "the embedded Kafka broker fsyncs every write before it acknowledges it, so that an"
                    + " acknowledged write survives a power loss (default; --no-kafka-fsync leaves it to the OS, see"
                    + " docs/replication.md)")
    boolean kafkaFsync;

    @Option(
            names = "--preaggregate",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "the ingest job folds points into exact per-slot partial aggregates before storage"
                    + " (default; --no-preaggregate writes every point as it came, see docs/ingest.md)")
    boolean preAggregate;

    @Option(
            names = "--ready-timeout",
            defaultValue = "60s",
            paramLabel = "DURATION",
            description = "give up when not ready after this long (default: ${DEFAULT-VALUE})")
    String readyTimeout;

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        System.exit(new CommandLine(new StandaloneMain()).execute(args));
    }

    @Override
    public Integer call() {
        Logger log = LoggerFactory.getLogger(StandaloneMain.class);
        long started = System.nanoTime();
        Standalone s;
        try {
            s = Standalone.start(
                    dataDir,
                    httpPort,
                    Durations.parse("--ready-timeout", readyTimeout),
                    direct,
                    kafkaPort,
                    kafkaFsync,
                    preAggregate);
        } catch (EtcdBinaryMissingException e) {
            log.error(
                    "standalone Meridian did not start: {}. Install it with: apt-get install -y etcd-server "
                            + "(or point ETCD_BINARY at an etcd binary)",
                    e.getMessage());
            return 1;
        } catch (ConfigException e) { // the message says what to change: no stack trace
            log.error("standalone Meridian did not start [dataDir={}]: {}", dataDir, e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            log.error("standalone Meridian did not start [dataDir={}]: {}", dataDir, e.getMessage(), e);
            return 1;
        }
        int port = s.broker().httpPort();
        System.out.printf(
                """
                Meridian standalone is ready (%.1f s)
                  HTTP API   http://127.0.0.1:%d   (writes: POST /api/v1/write?db=DB, SQL: POST /api/v1/sql)
                  JDBC       jdbc:meridian://127.0.0.1:%d/DB
                  etcd       %s
                  data       %s
                  ingest     %s
                Stop with Ctrl-C.
                """,
                (System.nanoTime() - started) / 1e9,
                port,
                port,
                s.etcdEndpoint(),
                s.dataDir(),
                s.kafkaBootstrap()
                        .map(k -> "Kafka " + k + " (topic meridian.ingest) -> Flink ingest job (UI "
                                + s.flinkUi().orElse("?")
                                + ") -> storage; writes are visible after the next checkpoint (~1 s)")
                        .orElse("direct (no Kafka/Flink): writes are visible once acknowledged"));
        System.out.flush();
        while (!s.awaitStopped(Duration.ofDays(1))) {
            // runs until a SIGTERM or Ctrl-C: the shutdown hook registered before the start-up stops everything
        }
        return 0;
    }
}
