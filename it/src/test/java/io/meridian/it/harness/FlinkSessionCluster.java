package io.meridian.it.harness;

import static org.awaitility.Awaitility.await;

import io.meridian.common.io.LoopbackPorts;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.clusterframework.BootstrapTools;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.messages.webmonitor.ClusterOverview;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A Flink session cluster as a Flink distribution runs it: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and one TaskManager ({@code TaskManagerRunner}) as two JVMs on
 * 127.0.0.1, both with {@code --configDir} holding a generated {@code config.yaml} (free ports, small memory, 2
 * slots), and {@code flink run} ({@code CliFrontend}) as a third, short-lived JVM.
 *
 * <p>Their class path is what {@code lib/} of a Flink distribution holds: the provided-scope artifacts of this
 * module (Flink and Flink's own dependencies, written by maven-dependency-plugin to the file named by the system
 * property {@value #CLASSPATH_PROPERTY}) plus log4j, and nothing of Meridian or Kafka: a job jar must bring those.
 *
 * <p>Everything lives under the directory given to {@link #start}: {@code conf/} (config.yaml, log4j),
 * {@code jobmanager.log}, {@code taskmanager.log}, {@code flink-run.log}, {@code tmp/}.
 */
public final class FlinkSessionCluster implements AutoCloseable {
    /** System property (set in it/pom.xml's failsafe configuration): the file holding the Flink class path. */
    public static final String CLASSPATH_PROPERTY = "meridian.it.flink-classpath-file";
    /** Slots of the one TaskManager. */
    public static final int SLOTS = 2;

    private static final String JOBMANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String CLI_MAIN = "org.apache.flink.client.cli.CliFrontend";

    // the JVM options bin/config.sh passes (env.java.default-opts.all of Flink's config.yaml), for Java 17
    private static final List<String> JAVA_17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    // memory: explicit component sizes (no process.size), and the JVM flags bin/jobmanager.sh / bin/taskmanager.sh
    // would derive from them
    private static final MemorySize JM_HEAP = MemorySize.parse("256m");
    private static final MemorySize JM_OFF_HEAP = MemorySize.parse("64m");
    private static final MemorySize JM_METASPACE = MemorySize.parse("192m");
    private static final MemorySize TM_FRAMEWORK_HEAP = MemorySize.parse("64m");
    private static final MemorySize TM_TASK_HEAP = MemorySize.parse("256m");
    private static final MemorySize TM_FRAMEWORK_OFF_HEAP = MemorySize.parse("64m");
    private static final MemorySize TM_TASK_OFF_HEAP = MemorySize.parse("128m"); // netty of gRPC/jetcd in the job
    private static final MemorySize TM_NETWORK = MemorySize.parse("64m");
    private static final MemorySize TM_MANAGED = MemorySize.parse("64m");
    private static final MemorySize TM_METASPACE = MemorySize.parse("256m");
    private static final MemorySize OVERHEAD = MemorySize.parse("64m");

    private final Path dir;
    private final Path confDir;
    private final String classPath;
    private final int restPort;
    private final JvmProcess jobManager;
    private final JvmProcess taskManager;
    private final List<JvmProcess> clients = new ArrayList<>();
    private RestClusterClient<StandaloneClusterId> client;

    private FlinkSessionCluster(
            Path dir, Path confDir, String classPath, int restPort, JvmProcess jobManager, JvmProcess taskManager) {
        this.dir = dir;
        this.confDir = confDir;
        this.classPath = classPath;
        this.restPort = restPort;
        this.jobManager = jobManager;
        this.taskManager = taskManager;
    }

    /** Writes the configuration under {@code dir} and starts the JobManager and TaskManager; returns at once. */
    public static FlinkSessionCluster start(Path dir) {
        String classPath = classPath();
        Path confDir = dir.resolve("conf");
        int restPort = LoopbackPorts.pick();
        Configuration conf = new Configuration();
        conf.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        conf.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        conf.set(JobManagerOptions.PORT, LoopbackPorts.pick());
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, restPort);
        conf.set(BlobServerOptions.PORT, Integer.toString(LoopbackPorts.pick()));
        conf.set(TaskManagerOptions.HOST, "127.0.0.1");
        conf.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, SLOTS);
        // TaskManagerRunner needs every resource resolved (bin/taskmanager.sh passes what BashJavaUtils derives)
        conf.set(TaskManagerOptions.CPU_CORES, (double) SLOTS);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        conf.set(CoreOptions.TMP_DIRS, dir.resolve("tmp").toString());
        conf.set(
                BlobServerOptions.STORAGE_DIRECTORY,
                dir.resolve("tmp").resolve("blobs").toString());
        conf.set(WebOptions.TMP_DIR, dir.resolve("tmp").resolve("web").toString());
        conf.set(JobManagerOptions.JVM_HEAP_MEMORY, JM_HEAP);
        conf.set(JobManagerOptions.OFF_HEAP_MEMORY, JM_OFF_HEAP);
        conf.set(JobManagerOptions.JVM_METASPACE, JM_METASPACE);
        conf.set(JobManagerOptions.JVM_OVERHEAD_MIN, OVERHEAD);
        conf.set(JobManagerOptions.JVM_OVERHEAD_MAX, OVERHEAD);
        conf.set(TaskManagerOptions.FRAMEWORK_HEAP_MEMORY, TM_FRAMEWORK_HEAP);
        conf.set(TaskManagerOptions.TASK_HEAP_MEMORY, TM_TASK_HEAP);
        conf.set(TaskManagerOptions.FRAMEWORK_OFF_HEAP_MEMORY, TM_FRAMEWORK_OFF_HEAP);
        conf.set(TaskManagerOptions.TASK_OFF_HEAP_MEMORY, TM_TASK_OFF_HEAP);
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, TM_NETWORK);
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, TM_NETWORK);
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, TM_MANAGED);
        conf.set(TaskManagerOptions.JVM_METASPACE, TM_METASPACE);
        conf.set(TaskManagerOptions.JVM_OVERHEAD_MIN, OVERHEAD);
        conf.set(TaskManagerOptions.JVM_OVERHEAD_MAX, OVERHEAD);
        Path log4j = confDir.resolve("log4j.properties");
        try {
            Files.createDirectories(dir.resolve("tmp"));
            Files.createDirectories(confDir);
            BootstrapTools.writeConfiguration(
                    conf,
                    confDir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME).toFile());
            Files.writeString(log4j, """
                    rootLogger.level = INFO
                    rootLogger.appenderRef.console.ref = console
                    appender.console.name = console
                    appender.console.type = Console
                    appender.console.layout.type = PatternLayout
                    appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c - %m%n
                    logger.pekko.name = org.apache.pekko
                    logger.pekko.level = WARN
                    logger.kafka.name = org.apache.kafka
                    logger.kafka.level = WARN
                    logger.netty.name = io.netty
                    logger.netty.level = WARN
                    logger.grpc.name = io.grpc
                    logger.grpc.level = WARN
                    logger.etcd.name = io.etcd
                    logger.etcd.level = WARN
                    logger.vertx.name = io.vertx
                    logger.vertx.level = WARN
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Flink configuration [dir=" + confDir + "]", e);
        }
        List<String> args = List.of("--configDir", confDir.toString());
        JvmProcess jm = JvmProcess.start(
                "jobmanager",
                jvmOptions(log4j, JM_HEAP, JM_OFF_HEAP, JM_METASPACE),
                classPath,
                JOBMANAGER_MAIN,
                args,
                Map.of(),
                dir.resolve("jobmanager.log"));
        JvmProcess tm;
        try {
            tm = JvmProcess.start(
                    "taskmanager",
                    jvmOptions(
                            log4j,
                            TM_FRAMEWORK_HEAP.add(TM_TASK_HEAP),
                            TM_FRAMEWORK_OFF_HEAP.add(TM_TASK_OFF_HEAP).add(TM_NETWORK),
                            TM_METASPACE),
                    classPath,
                    TASKMANAGER_MAIN,
                    args,
                    Map.of(),
                    dir.resolve("taskmanager.log"));
        } catch (RuntimeException e) {
            jm.close();
            throw e;
        }
        return new FlinkSessionCluster(dir, confDir, classPath, restPort, jm, tm);
    }

    private static List<String> jvmOptions(Path log4j, MemorySize heap, MemorySize direct, MemorySize metaspace) {
        List<String> opts = new ArrayList<>(List.of(
                "-Xmx" + heap.getBytes(),
                "-Xms" + heap.getBytes(),
                "-XX:MaxDirectMemorySize=" + direct.getBytes(),
                "-XX:MaxMetaspaceSize=" + metaspace.getBytes(),
                "-Dlog4j.configurationFile=" + log4j.toUri()));
        opts.addAll(JAVA_17_OPTS);
        return opts;
    }

    /** The Flink distribution's class path: Flink and its dependencies (never Meridian or Kafka) and log4j. */
    static String classPath() {
        String file = System.getProperty(CLASSPATH_PROPERTY);
        if (file == null) {
            throw new IllegalStateException("system property " + CLASSPATH_PROPERTY + " is not set: run the test"
                    + " through failsafe (mvn -pl it verify -Dit.test=...), it/pom.xml writes the Flink class path");
        }
        List<String> entries = new ArrayList<>();
        try {
            entries.addAll(Arrays.asList(Files.readString(Path.of(file)).trim().split(File.pathSeparator)));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the Flink class path [" + CLASSPATH_PROPERTY + "=" + file + "]", e);
        }
        for (String e : entries) {
            String name = Path.of(e).getFileName().toString();
            if (name.startsWith("meridian-") || name.startsWith("kafka") || name.startsWith("flink-connector-kafka")) {
                throw new IllegalStateException("the Flink class path must not hold " + name + ": the job jar brings"
                        + " it [file=" + file + "] (a provided-scope dependency in it/pom.xml?)");
            }
        }
        // lib/ of a Flink distribution: log4j-api, log4j-core, log4j-slf4j(2)-impl
        for (String logClass : List.of(
                "org.apache.logging.log4j.LogManager",
                "org.apache.logging.log4j.core.LoggerContext",
                "org.apache.logging.slf4j.SLF4JServiceProvider")) {
            entries.add(jarOf(logClass));
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String jarOf(String className) {
        try {
            return Path.of(Class.forName(className)
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException("cannot find the jar of " + className + " on the test class path", e);
        }
    }

    /** {@code 127.0.0.1:port} of the REST endpoint ({@code flink run -m}). */
    public String restAddress() {
        return "127.0.0.1:" + restPort;
    }

    /** Flink's own REST client for this cluster (created on first use, closed with the cluster). */
    public synchronized RestClusterClient<StandaloneClusterId> client() {
        if (client == null) {
            Configuration conf = new Configuration();
            conf.set(RestOptions.ADDRESS, "127.0.0.1");
            conf.set(RestOptions.PORT, restPort);
            try {
                client = new RestClusterClient<>(conf, StandaloneClusterId.getInstance());
            } catch (Exception e) {
                throw new IllegalStateException("cannot create the Flink REST client [rest=" + restAddress() + "]", e);
            }
        }
        return client;
    }

    /** Waits (bounded) until the TaskManager registered with all its slots free; fails early if a JVM died. */
    public void awaitReady(Duration timeout) {
        AtomicReference<Object> last = new AtomicReference<>("no answer from the REST endpoint");
        try {
            await().atMost(timeout)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> {
                        if (!jobManager.isAlive() || !taskManager.isAlive()) {
                            last.set("a Flink process exited [jobmanager alive=" + jobManager.isAlive()
                                    + ", taskmanager alive=" + taskManager.isAlive() + "]");
                            return true;
                        }
                        ClusterOverview o = client().getClusterOverview().get(5, TimeUnit.SECONDS);
                        last.set(o);
                        return o.getNumTaskManagersConnected() == 1 && o.getNumSlotsAvailable() == SLOTS;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "Flink session cluster not ready within " + timeout + " [rest=" + restAddress() + ", last="
                            + last.get() + ", logs=" + dir + "]",
                    e);
        }
        if (!jobManager.isAlive() || !taskManager.isAlive()) {
            throw new AssertionError("Flink session cluster did not start [" + last.get() + ", logs=" + dir + "]");
        }
    }

    /**
     * Runs {@code flink run ...} ({@code CliFrontend} with {@code FLINK_CONF_DIR} = this cluster's conf dir, as
     * {@code bin/flink} does) and waits up to {@code timeout} for it to exit.
     *
     * @return the exit code; the output is in {@link #cliLogFile()}
     */
    public int flinkCli(Duration timeout, String... args) {
        JvmProcess cli;
        synchronized (this) {
            cli = JvmProcess.start(
                    "flink-cli",
                    jvmOptions(
                            confDir.resolve("log4j.properties"),
                            MemorySize.parse("256m"),
                            MemorySize.parse("64m"),
                            MemorySize.parse("192m")),
                    classPath,
                    CLI_MAIN,
                    List.of(args),
                    Map.of("FLINK_CONF_DIR", confDir.toString()),
                    cliLogFile());
            clients.add(cli);
        }
        return cli.awaitExit(timeout);
    }

    public Path cliLogFile() {
        return dir.resolve("flink-run.log");
    }

    /** Polls the job's status over REST until it is globally terminal (bounded); returns that status. */
    public JobStatus awaitTerminal(JobID job, Duration timeout) {
        AtomicReference<JobStatus> status = new AtomicReference<>();
        try {
            await().atMost(timeout)
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .until(() -> {
                        status.set(client().getJobStatus(job).get(5, TimeUnit.SECONDS));
                        return status.get().isGloballyTerminalState();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "Flink job " + job + " not finished within " + timeout + " [last status=" + status.get() + ", rest="
                            + restAddress() + ", logs=" + dir + "]",
                    e);
        }
        return status.get();
    }

    /** Why the job failed, from its result over REST ("" when it did not). */
    public String failureOf(JobID job) {
        try {
            JobResult r = client().requestJobResult(job).get(10, TimeUnit.SECONDS);
            return r.getSerializedThrowable()
                    .map(t -> t.getFullStringifiedStackTrace())
                    .orElse("");
        } catch (Exception e) {
            return "(cannot fetch the job result of " + job + ": " + e + ")";
        }
    }

    /** Prints every process's log (for a failed test). */
    public synchronized void printLogs(PrintStream out) {
        List<JvmProcess> all = new ArrayList<>(List.of(jobManager, taskManager));
        all.addAll(clients);
        for (JvmProcess p : all) {
            out.println("======== " + p.name() + " (" + p.logFile() + ") ========");
            out.println(p.log());
        }
    }

    /** Closes the REST client and kills every process (waiting for their exits). */
    @Override
    public synchronized void close() {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            for (JvmProcess p : clients) {
                p.close();
            }
            taskManager.close();
            jobManager.close();
        }
    }
}
