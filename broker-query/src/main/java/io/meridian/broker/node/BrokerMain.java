package io.meridian.broker.node;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/meridian broker --config FILE}: runs one broker until SIGTERM / Ctrl-C, then stops it cleanly
 * (deregister, stop the servers, resign as master, close the etcd client) from a shutdown hook.
 *
 * <p>Exit codes: 0 after a clean stop, 1 when the broker could not start (the reason is logged: bad
 * configuration names the key and file), 2 for bad command-line usage.
 */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description = "Run a Meridian broker (see docs/configuration.md for the configuration keys).")
public final class BrokerMain implements Callable<Integer> {
    /** Log4j 2 configuration used unless {@code -Dlog4j2.configurationFile} names another one. */
    static final String LOG_CONFIG = "meridian-log4j2.xml";

    @Option(
            names = {"-c", "--config"},
            required = true,
            paramLabel = "FILE",
            description = "YAML configuration file of this broker")
    Path config;

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG); // before the first logger is created
        }
        System.exit(new CommandLine(new BrokerMain()).execute(args));
    }

    @Override
    public Integer call() {
        Logger log = LoggerFactory.getLogger(BrokerMain.class);
        BrokerNode node;
        try {
            node = BrokerNode.start(BrokerNodeConfig.load(config), List.of());
        } catch (InvalidInputException e) {
            log.error("broker did not start [config={}]: {}", config, e.getMessage()); // the message says it all
            return 1;
        } catch (MeridianException e) {
            log.error("broker did not start [config={}]: {}", config, e.getMessage(), e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("stopping broker [node={}]", node.self().id());
                            try {
                                node.close();
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "broker-shutdown"));
        log.info(
                "broker serving [node={}, http={}, grpc={}, dataDir={}, config={}]",
                node.self().id(),
                node.httpUrl(),
                node.self().address(),
                node.config().dataDir(),
                config);
        try {
            stopped.await(); // the shutdown hook ends the process
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
