package io.meridian.deploy;

import io.meridian.common.io.LoopbackPorts;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.etcd.EtcdProcessOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cluster of separate processes on 127.0.0.1 for trying Meridian by hand (failover, repair): etcd as a child
 * process, N storage nodes and M brokers, each its own JVM with its own configuration file, data directory and
 * log under one directory. The pids are written to {@code pids} so that {@code cluster down} can stop a cluster
 * started elsewhere.
 */
final class LocalCluster implements AutoCloseable {
    static final String PIDS = "pids";
    /** The first and the longest pause between two readiness requests to the first broker (a doubling back-off). */
    private static final Duration READY_POLL_MIN_INTERVAL = Duration.ofMillis(50);

    private static final Duration READY_POLL_MAX_INTERVAL = Duration.ofMillis(400);

    /** One started role process. */
    record Member(String id, String role, Process process, Path log, String address) {}

    private final Path dir;
    private final EtcdProcess etcd;
    private final StartedComponents components;
    /** Guarded by itself. */
    private final List<Member> members = new ArrayList<>();
    /** Guarded by {@link #members}: set when the roles are being stopped; no role starts after it. */
    private boolean rolesStopped;

    private LocalCluster(Path dir, EtcdProcess etcd, StartedComponents components) {
        this.dir = dir;
        this.etcd = etcd;
        this.components = components;
    }

    /**
     * Starts etcd, then the storage nodes and brokers as processes, and waits until the first broker is ready. A
     * SIGTERM or Ctrl-C at any moment (the start-up included) stops every process started so far, etcd last.
     */
    static LocalCluster up(Path dir, int brokers, int storage, int firstHttpPort, Duration readyTimeout)
            throws IOException {
        Files.createDirectories(dir);
        StartedComponents components = new StartedComponents("local cluster");
        LocalCluster cluster;
        try {
            EtcdProcess etcd = EtcdProcess.start(EtcdProcessOptions.defaults(dir.resolve("etcd")));
            components.add(etcd::stop);
            etcd.detachShutdownHook(); // stopped last
            cluster = new LocalCluster(dir, etcd, components);
            components.add(cluster::stopRoles);
        } catch (RuntimeException e) {
            components.close();
            throw e;
        }
        try {
            for (int i = 1; i <= storage; i++) {
                String id = "storage-" + i;
                int port = LoopbackPorts.pickOutside(firstHttpPort, brokers);
                int metricsPort = LoopbackPorts.pickOutside(firstHttpPort, brokers);
                cluster.launch(
                        id,
                        "storage",
                        "io.meridian.storage.node.StorageMain",
                        """
                        node: {id: %s, idc: default, cluster: default, data-dir: '%s'}
                        meta: {etcd.endpoints: %s, lease-ttl: 3s}
                        storage: {server.host: 127.0.0.1, server.port: %d, http.port: %d}
                        """.formatted(id, dir.resolve(id).resolve("data"), cluster.etcdEndpoint(), port, metricsPort),
                        "127.0.0.1:" + port + " (metrics http://127.0.0.1:" + metricsPort + "/metrics)");
            }
            for (int i = 1; i <= brokers; i++) {
                String id = "broker-" + i;
                int http = firstHttpPort + i - 1;
                cluster.launch(
                        id,
                        "broker",
                        "io.meridian.broker.node.BrokerMain",
                        """
                        node: {id: %s, idc: default, host: 127.0.0.1, data-dir: '%s'}
                        meta: {etcd.endpoints: %s, lease-ttl: 3s}
                        broker: {http.port: %d, grpc.port: %d}
                        master: {lease-ttl: 3s, rebuild-grace: 2s, rebalance-delay: 1m, repair-delay: 2m}
                        """.formatted(
                                        id,
                                        dir.resolve(id).resolve("data"),
                                        cluster.etcdEndpoint(),
                                        http,
                                        LoopbackPorts.pickOutside(firstHttpPort, brokers)),
                        "http://127.0.0.1:" + http);
            }
            StringBuilder pids = new StringBuilder("etcd ")
                    .append(ProcessHandle.current()
                            .children()
                            .filter(p -> p.info().command().orElse("").endsWith("etcd"))
                            .map(p -> Long.toString(p.pid()))
                            .findFirst()
                            .orElse("?"))
                    .append('\n');
            cluster.members()
                    .forEach(m -> pids.append(m.id())
                            .append(' ')
                            .append(m.process().pid())
                            .append('\n'));
            Files.writeString(dir.resolve(PIDS), pids);
            cluster.awaitReady(readyTimeout);
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts one role as a process; refused once the cluster is stopping (a SIGTERM during the start-up). */
    private void launch(String id, String role, String main, String yaml, String address) throws IOException {
        Path home = dir.resolve(id);
        Files.createDirectories(home);
        Path config = home.resolve(role + ".yaml");
        Files.writeString(config, "# written by bin/meridian cluster up\n" + yaml);
        Path log = home.resolve(role + ".log");
        // an OutOfMemoryError ends the process (and cluster up reports it) instead of leaving it limping
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Xms64m",
                        "-Xmx384m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        main,
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        synchronized (members) {
            if (!rolesStopped) {
                members.add(new Member(id, role, p, log, address));
                return;
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("the local cluster is stopping; start-up abandoned");
    }

    /**
     * Waits until the first broker answers ready and knows a storage cluster. A bounded poll of its HTTP API with
     * back-off: a child process signals nothing when it starts answering, so there is no event to wait on. An exit
     * is one: the pause between two requests is a wait on the members' {@link Process#onExit()}, so a role that dies
     * during start fails this at once.
     */
    private void awaitReady(Duration timeout) {
        Member broker = members().stream()
                .filter(m -> m.role().equals("broker"))
                .findFirst()
                .orElseThrow();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        CompletableFuture<?> anyExit = CompletableFuture.anyOf(
                members().stream().map(m -> m.process().onExit()).toArray(CompletableFuture[]::new));
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseNanos = READY_POLL_MIN_INTERVAL.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(broker.address() + "/api/v1/clusters"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"default\"")) {
                    return;
                }
                if (r.statusCode()
                        == 200) { // no storage cluster yet: create it (409 when the master made it meanwhile)
                    http.send(
                            HttpRequest.newBuilder(URI.create(broker.address() + "/api/v1/clusters"))
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"name\":\"default\",\"idc\":\"default\"}"))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            for (Member m : members()) {
                if (!m.process().isAlive()) {
                    throw new IllegalStateException(
                            m.id() + " exited [exit=" + m.process().exitValue() + ", log=" + m.log() + "]");
                }
            }
            try {
                anyExit.get(Math.min(pauseNanos, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
            } catch (TimeoutException allRunning) {
                // the next request
            } catch (ExecutionException e) {
                throw new IllegalStateException("BUG: Process.onExit() failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            pauseNanos = Math.min(pauseNanos * 2, READY_POLL_MAX_INTERVAL.toNanos());
        }
        throw new IllegalStateException("cluster not ready after " + timeout.toSeconds() + " s [dir=" + dir + "]");
    }

    List<Member> members() {
        synchronized (members) {
            return List.copyOf(members);
        }
    }

    String etcdEndpoint() {
        return etcd.endpoint();
    }

    /** SIGTERM to every role and waits for them, then stops etcd (also what a SIGTERM of {@code cluster up} does). */
    @Override
    public void close() {
        components.close();
    }

    /** Waits until the cluster was stopped (by {@link #close()} or a SIGTERM); false on timeout. */
    boolean awaitClosed(Duration timeout) {
        return components.awaitClosed(timeout);
    }

    /** SIGTERM to every role (brokers first), waits up to 30 s for each, then SIGKILL. */
    private void stopRoles() throws IOException {
        List<Member> order;
        synchronized (members) {
            rolesStopped = true;
            order = new ArrayList<>(members);
        }
        order.sort((a, b) -> a.role().compareTo(b.role())); // broker before storage
        order.forEach(m -> m.process().destroy());
        for (Member m : order) {
            try {
                if (!m.process().waitFor(30, TimeUnit.SECONDS)) {
                    m.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                m.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(dir.resolve(PIDS));
    }
}
