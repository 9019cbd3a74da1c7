package io.meridian.connector.kafka.embedded;

import io.meridian.common.io.FileTrees;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node KRaft Kafka (one combined broker + controller) in this JVM, on 127.0.0.1: the log directory is
 * formatted with {@link Formatter} (what {@code kafka-storage.sh format} does) and {@link KafkaRaftServer} is
 * started on it. Standalone mode runs it on its data directory ({@link #start(Path, int)}: kept across restarts);
 * tests run it on a temporary one ({@link #start()}: deleted on close). Needs kafka_2.13 and kafka-server on the
 * class path (optional dependencies of this module: declare them where this runs), no Kafka test jars (stack.md
 * gotcha 4). Topics are not auto-created.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     kafka.createTopic("meridian.ingest", 4);
 *     ... kafka.bootstrapServers() ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the server and deletes the directory; it may be called more than once (a test
 * that stops Kafka on purpose, then the fixture's cleanup). Start takes 2-4 s on two cores: share one per class.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final long START_TIMEOUT_MS = 30_000;
    private static final int NODE_ID = 1;
    private static final int PORT_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final Path dir;
    /** The least request-queue bound: room for the largest produce request of a default client (1 MiB) and more. */
    public static final long MIN_QUEUED_REQUEST_BYTES = 8L << 20;
    /**
     * Heap of the log cleaner's offset map ({@code log.cleaner.dedupe.buffer.size}), allocated once when the broker
     * starts. Kafka's default, 128 MiB, sized for brokers with heaps of gigabytes, was the largest single object in a
     * 1 GiB standalone heap. Only the internal compacted topics (consumer offsets, committed once per checkpoint) are
     * cleaned here: 4 MiB holds about 170,000 offsets, more than a {@link #INTERNAL_SEGMENT_BYTES} segment of them.
     */
    public static final long LOG_CLEANER_DEDUPE_BYTES = 4L << 20;
    /** Segment size of the internal topics, so that one segment's offsets fit the cleaner's map. */
    static final int INTERNAL_SEGMENT_BYTES = 8 << 20;

    private final boolean temporary;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dir, boolean temporary, String bootstrapServers) {
        this.server = server;
        this.dir = dir;
        this.temporary = temporary;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts on {@code dir} (formatted the first time, reused after), listening on {@code port} (0: a free one);
     * {@link #close()} keeps the directory, so a restart has every record.
     */
    public static EmbeddedKafka start(Path dir, int port) throws IOException {
        return start(dir, port, false);
    }

    /**
     * {@link #start(Path, int)}; with {@code fsyncEachWrite} the broker fsyncs its log after every message set it
     * appends ({@code log.flush.interval.messages=1}) before it acknowledges it, so that an acknowledged record
     * survives a power loss of this single-broker cluster. Kafka's default (and this one's without it) leaves the
     * fsync to the OS and relies on replication, which a one-broker cluster does not have.
     */
    public static EmbeddedKafka start(Path dir, int port, boolean fsyncEachWrite) throws IOException {
        return start(dir, port, fsyncEachWrite, 0);
    }

    /**
     * {@link #start(Path, int, boolean)} with the heap the broker may hold in requests bounded: at most
     * {@code maxQueuedRequestBytes} of received requests wait for its handler threads ({@code
     * queued.max.request.bytes}; it stops reading sockets past it, which is back-pressure on the producers), and no
     * single request may be larger ({@code socket.request.max.bytes}). 0 keeps Kafka's defaults: an unbounded queue
     * of requests of up to 100 MiB each.
     *
     * @throws IllegalArgumentException when positive and under {@link #MIN_QUEUED_REQUEST_BYTES}
     */
    public static EmbeddedKafka start(Path dir, int port, boolean fsyncEachWrite, long maxQueuedRequestBytes)
            throws IOException {
        if (maxQueuedRequestBytes != 0 && maxQueuedRequestBytes < MIN_QUEUED_REQUEST_BYTES) {
            throw new IllegalArgumentException("the embedded Kafka broker's request queue bound is too small [bytes="
                    + maxQueuedRequestBytes + ", least=" + MIN_QUEUED_REQUEST_BYTES + "]");
        }
        Files.createDirectories(dir);
        return startIn(dir, false, port == 0 ? freePort() : port, fsyncEachWrite, maxQueuedRequestBytes);
    }

    /** Formats a temp directory and starts the node; returns once the broker answers metadata requests. */
    public static EmbeddedKafka start() throws IOException, InterruptedException {
        RuntimeException last = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) { // a free port may be taken before we bind it
            Path dir = Files.createTempDirectory("meridian-kraft-");
            try {
                return startIn(dir, true, freePort(), false, 0);
            } catch (RuntimeException e) {
                FileTrees.delete(dir);
                last = e;
            }
        }
        throw last;
    }

    private static EmbeddedKafka startIn(
            Path dir, boolean temporary, int brokerPort, boolean fsyncEachWrite, long maxQueuedRequestBytes)
            throws IOException {
        int controllerPort = freePort();
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("log.cleaner.dedupe.buffer.size", Long.toString(LOG_CLEANER_DEDUPE_BYTES));
        p.put("offsets.topic.segment.bytes", Integer.toString(INTERNAL_SEGMENT_BYTES));
        p.put("transaction.state.log.segment.bytes", Integer.toString(INTERNAL_SEGMENT_BYTES));
        if (fsyncEachWrite) {
            p.put("log.flush.interval.messages", "1");
        }
        if (maxQueuedRequestBytes > 0) {
            p.put("queued.max.request.bytes", Long.toString(maxQueuedRequestBytes));
            p.put("socket.request.max.bytes", Long.toString(Math.min(Integer.MAX_VALUE, maxQueuedRequestBytes)));
        }
        KafkaConfig config = new KafkaConfig(p);

        if (!Files.exists(dir.resolve("meta.properties"))) {
            format(dir);
        }

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        EmbeddedKafka kafka = new EmbeddedKafka(server, dir, temporary, "127.0.0.1:" + brokerPort);
        try {
            server.startup();
            kafka.awaitRegistered();
            return kafka;
        } catch (RuntimeException e) {
            try {
                kafka.close();
            } catch (RuntimeException | IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** What {@code kafka-storage.sh format} does: cluster id, node id, metadata version. */
    private static void format(Path dir) throws IOException {
        try {
            new Formatter()
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(NODE_ID)
                    .setDirectories(List.of(dir.toString()))
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the kafka log directory [dir=" + dir + "]", e);
        }
    }

    /**
     * {@link KafkaRaftServer#startup()} returns once the broker is unfenced and its listeners accept requests; this
     * asks it once for the cluster's nodes, and the admin client retries a refused connection or a retriable error
     * itself until the call's timeout, so its future is the signal.
     */
    private void awaitRegistered() {
        Exception last = null;
        try (Admin admin = admin()) {
            if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) START_TIMEOUT_MS))
                    .nodes()
                    .get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .isEmpty()) {
                return;
            }
        } catch (ExecutionException | TimeoutException e) {
            last = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while kafka started", e);
        }
        throw new IllegalStateException(
                "embedded kafka broker not registered in " + START_TIMEOUT_MS + " ms [bootstrap=" + bootstrapServers
                        + "]",
                last);
    }

    /** {@code 127.0.0.1:port} of the broker listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A new admin client (close it). */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** Creates a topic with replication factor 1 and waits until it exists. */
    public void createTopic(String name, int partitions) throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get();
        }
    }

    /** The end offset of every partition of {@code topic} (partition to next offset). */
    public Map<Integer, Long> endOffsets(String topic) throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            int partitions = admin.describeTopics(Set.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                specs.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            Map<Integer, Long> out = new TreeMap<>();
            admin.listOffsets(specs).all().get().forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        }
    }

    /** A consumer of byte-array keys and values that reads from the earliest offset, without a group. */
    public KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false));
    }

    /** Stops the node (and deletes a temporary directory); later calls do nothing. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (temporary) {
                FileTrees.delete(dir);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
