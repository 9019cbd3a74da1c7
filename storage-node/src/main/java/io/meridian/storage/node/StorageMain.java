package io.meridian.storage.node;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.MeridianException;
import io.meridian.storage.replication.ReplicationController;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/meridian storage --config FILE}: runs one storage node until SIGTERM / Ctrl-C, then stops it
 * cleanly (deregister, close replicas, close the etcd client) from a shutdown hook.
 *
 * <p>Exit codes: 0 after a clean stop, 1 when the node could not start (the reason is logged: bad
 * configuration names the key and file), 2 for bad command-line usage.
 */
@Command(
        name = "storage",
        mixinStandardHelpOptions = true,
        description = "Run a Meridian storage node (see docs/configuration.md for the configuration keys).")
public final class StorageMain implements Callable<Integer> {
    /** The replica controller the storage process runs: replication of every shard replica it is assigned. */
    public static final ReplicaControllerFactory CONTROLLER =
            ctx -> new ReplicationController(ctx.nodeId(), ctx.registry(), ctx.replication());

    /** Log4j 2 configuration used unless {@code -Dlog4j2.configurationFile} names another one. */
    static final String LOG_CONFIG = "meridian-log4j2.xml";

    @Option(
            names = {"-c", "--config"},
            required = true,
            paramLabel = "FILE",
            description = "YAML configuration file of this node")
    Path config;

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG); // before the first logger is created
        }
        System.exit(new CommandLine(new StorageMain()).execute(args));
    }

    @Override
    public Integer call() {
        Logger log = LoggerFactory.getLogger(StorageMain.class);
        StorageNode node;
        try {
            node = StorageNode.start(StorageNodeConfig.load(config), CONTROLLER);
        } catch (InvalidInputException e) {
            log.error("storage node did not start [config={}]: {}", config, e.getMessage()); // the message says it all
            return 1;
        } catch (MeridianException e) {
            log.error("storage node did not start [config={}]: {}", config, e.getMessage(), e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info(
                                    "stopping storage node [node={}]",
                                    node.self().id());
                            try {
                                node.close();
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "storage-shutdown"));
        log.info(
                "storage node serving [node={}, grpc={}, dataDir={}, config={}]",
                node.self().id(),
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
