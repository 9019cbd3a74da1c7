package io.meridian.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/meridian cluster up|down}: a local multi-process cluster on 127.0.0.1 for trying failover by hand.
 * {@code up} runs in the foreground until Ctrl-C and prints every process with its pid (kill -9 one to see a
 * failover); {@code down} stops a cluster that runs elsewhere, from the pids in its directory.
 */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT, // --help and --version on every subcommand too
        description = "Run a local multi-process Meridian cluster.",
        subcommands = {ClusterMain.Up.class, ClusterMain.Down.class})
public final class ClusterMain implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterMain()).execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    @Command(
            name = "up",
            description = "start etcd, storage nodes and brokers as separate processes; Ctrl-C stops them")
    static final class Up implements Callable<Integer> {
        @Option(names = "--brokers", defaultValue = "2", description = "brokers (default: ${DEFAULT-VALUE})")
        int brokers;

        @Option(names = "--storage", defaultValue = "3", description = "storage nodes (default: ${DEFAULT-VALUE})")
        int storage;

        @Option(
                names = "--dir",
                defaultValue = "cluster",
                description = "data, configs and logs (default: ${DEFAULT-VALUE})")
        Path dir;

        @Option(
                names = "--http-port",
                defaultValue = "8080",
                description = "the first broker's HTTP port; the next ones follow")
        int httpPort;

        @Override
        public Integer call() throws Exception {
            if (brokers < 1 || storage < 1) {
                System.err.println("meridian cluster: want at least one broker and one storage node");
                return 2;
            }
            LocalCluster cluster =
                    LocalCluster.up(dir.toAbsolutePath(), brokers, storage, httpPort, Duration.ofSeconds(120));
            StringBuilder sb = new StringBuilder("Meridian local cluster is up\n  etcd       ")
                    .append(cluster.etcdEndpoint())
                    .append('\n');
            for (LocalCluster.Member m : cluster.members()) {
                sb.append(String.format(
                        "  %-10s %-26s pid %-8d log %s%n",
                        m.id(), m.address(), m.process().pid(), m.log()));
            }
            sb.append("Try: kill -9 <a storage pid>, then bin/meridian admin shards DB. Stop with Ctrl-C.\n");
            System.out.print(sb);
            System.out.flush();
            // runs until Ctrl-C, or until every process is gone (cluster down from another terminal)
            while (!cluster.awaitClosed(Duration.ofSeconds(1))) {
                if (cluster.members().stream().noneMatch(m -> m.process().isAlive())) {
                    System.out.println("every process of the cluster has stopped; stopping etcd");
                    cluster.close();
                    return 0;
                }
            }
            return 0;
        }
    }

    @Command(name = "down", description = "stop a local cluster started with cluster up (SIGTERM to its processes)")
    static final class Down implements Callable<Integer> {
        @Option(
                names = "--dir",
                defaultValue = "cluster",
                description = "the cluster's directory (default: ${DEFAULT-VALUE})")
        Path dir;

        @Override
        public Integer call() throws Exception {
            Path pids = dir.resolve(LocalCluster.PIDS);
            if (!Files.exists(pids)) {
                System.err.println(
                        "meridian cluster: no running cluster in " + dir.toAbsolutePath() + " (no " + pids + ")");
                return 1;
            }
            List<String> lines = Files.readAllLines(pids);
            // roles first, etcd last
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i);
                String[] p = line.trim().split(" ");
                if (p.length == 2 && p[1].matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(p[1])).ifPresent(h -> {
                        h.destroy();
                        h.onExit()
                                .orTimeout(30, TimeUnit.SECONDS)
                                .exceptionally(t -> {
                                    h.destroyForcibly();
                                    return h;
                                })
                                .join();
                        System.out.println("stopped " + p[0] + " (pid " + p[1] + ")");
                    });
                }
            }
            Files.deleteIfExists(pids);
            return 0;
        }
    }
}
