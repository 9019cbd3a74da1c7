package io.meridian.broker.node;

import static io.meridian.broker.node.BrokerConfigKeys.*;

import io.meridian.broker.http.BrokerHttpServer;
import io.meridian.broker.write.KafkaWriteOptions;
import io.meridian.broker.write.WriteMode;
import io.meridian.common.config.Config;
import io.meridian.common.config.ConfigException;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.config.MemoryBudget;
import io.meridian.common.ingest.LineShapes;
import io.meridian.common.ingest.RemoteWriteBatcher;
import io.meridian.common.lineprotocol.StringFieldPolicy;
import io.meridian.meta.master.MasterOptions;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.store.MetaConfigKeys;
import io.meridian.meta.store.MetaStoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The whole configuration of one broker process, typed and validated (keys in {@link BrokerConfigKeys},
 * reference in docs/configuration.md).
 *
 * @param nodeId          {@code node.id}
 * @param idc             {@code node.idc}
 * @param host            {@code node.host}: bind address of both servers, and the address registered in etcd
 * @param dataDir         {@code node.data-dir}
 * @param meta            {@code meta.etcd.endpoints}, {@code meta.root}, {@code meta.operation-timeout}
 * @param leaseTtl        {@code meta.lease-ttl}
 * @param httpPort        {@code broker.http.port}, 0 for a free one
 * @param httpMaxBodyBytes {@code broker.http.max-body}
 * @param httpMaxInFlightBytes {@code broker.http.max-in-flight-bytes}, its default (0) resolved from the heap
 * @param httpWorkerThreads {@code broker.http.worker-threads}
 * @param grpcPort        {@code broker.grpc.port}, 0 for a free one
 * @param writeTimeout    {@code broker.write.timeout}
 * @param writeMode       {@code broker.write.mode}
 * @param stringFields    {@code broker.write.string-fields}
 * @param lineShapes      {@code broker.write.line-shapes}, its default (-1) resolved from the heap
 * @param prometheusDatabase {@code broker.prometheus.database}, empty for none
 * @param prometheusSeriesCache {@code broker.prometheus.series-cache}, its default (-1) resolved from the heap
 * @param kafka           {@code broker.kafka.*} with the node id as client id; null in direct mode
 * @param queryTimeout    {@code broker.query.timeout}
 * @param queryMaxGroups  {@code broker.query.max-groups}
 * @param master          {@code master.*}
 */
public record BrokerNodeConfig(
        String nodeId,
        String idc,
        String host,
        Path dataDir,
        MetaStoreOptions meta,
        Duration leaseTtl,
        int httpPort,
        int httpMaxBodyBytes,
        long httpMaxInFlightBytes,
        int httpWorkerThreads,
        int grpcPort,
        Duration writeTimeout,
        WriteMode writeMode,
        StringFieldPolicy stringFields,
        int lineShapes,
        String prometheusDatabase,
        int prometheusSeriesCache,
        KafkaWriteOptions kafka,
        Duration queryTimeout,
        int queryMaxGroups,
        MasterOptions master) {
    /** Kafka's default {@code buffer.memory}, which the broker's producer keeps. */
    public static final long KAFKA_PRODUCER_BUFFER_BYTES = 32L << 20;

    /** Legal Kafka topic names (Kafka's {@code Topic.validate}). */
    private static final Pattern KAFKA_TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    /** Consumer group ids this broker accepts: Kafka takes any non-empty string; whitespace is a typo here. */
    private static final Pattern KAFKA_GROUP_ID = Pattern.compile("\\S{1,255}");

    public BrokerNodeConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(idc, "idc");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(leaseTtl, "leaseTtl");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        Objects.requireNonNull(writeMode, "writeMode");
        Objects.requireNonNull(stringFields, "stringFields");
        Objects.requireNonNull(prometheusDatabase, "prometheusDatabase");
        if (writeMode == WriteMode.KAFKA) {
            Objects.requireNonNull(kafka, "kafka");
        }
        Objects.requireNonNull(queryTimeout, "queryTimeout");
        Objects.requireNonNull(master, "master");
    }

    /**
     * Reads and validates a YAML file.
     *
     * @throws ConfigException naming the file and the key of the first problem
     */
    public static BrokerNodeConfig load(Path file) {
        return from(ConfigTree.load(file));
    }

    /** Validates an already read tree (tests, or a launcher that merged several sources). */
    public static BrokerNodeConfig from(ConfigTree tree) {
        Config c = DEF.parse(tree);
        c.requireName(NODE_ID, "node");
        c.requireName(NODE_IDC, "idc");
        if (!c.get(PROMETHEUS_DATABASE).isEmpty()) {
            c.requireName(PROMETHEUS_DATABASE, "database");
        }
        if (c.get(NODE_HOST).isBlank()) {
            throw c.invalid(NODE_HOST, "want a host name or address other nodes can reach; got ''");
        }
        MetaConfigKeys.requireWholeSeconds(c, MASTER_LEASE_TTL);
        if (c.get(HTTP_MAX_BODY) > Integer.MAX_VALUE) {
            throw c.invalid(HTTP_MAX_BODY, "want at most 2GiB - 1B; got " + c.get(HTTP_MAX_BODY) + " bytes");
        }
        long inFlight = c.get(HTTP_MAX_IN_FLIGHT) == 0
                ? BrokerHttpServer.defaultInFlightBytes(c.get(HTTP_MAX_BODY))
                : c.get(HTTP_MAX_IN_FLIGHT);
        int seriesCache = c.get(PROMETHEUS_SERIES_CACHE) < 0
                ? defaultSeriesCache(Runtime.getRuntime().maxMemory())
                : c.get(PROMETHEUS_SERIES_CACHE);
        int lineShapes = c.get(WRITE_LINE_SHAPES) < 0
                ? defaultLineShapes(Runtime.getRuntime().maxMemory())
                : c.get(WRITE_LINE_SHAPES);
        MemoryBudget.check(
                "broker",
                Runtime.getRuntime().maxMemory(),
                memoryShares(inFlight, seriesCache, lineShapes, c.get(WRITE_MODE)),
                "MERIDIAN_BROKER_JAVA_OPTS=-Xmx...");
        MetaStoreOptions meta = MetaConfigKeys.storeOptions(c);
        MasterOptions master = new MasterOptions(
                c.get(MASTER_LEASE_TTL),
                c.get(MASTER_POLL_INTERVAL),
                c.get(MASTER_RECONCILE_INTERVAL),
                c.get(MASTER_REBUILD_GRACE),
                new PlannerOptions(c.get(MASTER_REBALANCE_DELAY), c.get(MASTER_REPAIR_DELAY)));
        return new BrokerNodeConfig(
                c.get(NODE_ID),
                c.get(NODE_IDC),
                c.get(NODE_HOST),
                Path.of(c.get(NODE_DATA_DIR)),
                meta,
                c.get(META_LEASE_TTL),
                c.get(HTTP_PORT),
                (int) (long) c.get(HTTP_MAX_BODY),
                inFlight,
                c.get(HTTP_WORKER_THREADS),
                c.get(GRPC_PORT),
                c.get(WRITE_TIMEOUT),
                c.get(WRITE_MODE),
                c.get(WRITE_STRING_FIELDS),
                lineShapes,
                c.get(PROMETHEUS_DATABASE),
                seriesCache,
                kafka(c),
                c.get(QUERY_TIMEOUT),
                c.get(QUERY_MAX_GROUPS),
                master);
    }

    /** The Kafka writer's settings in kafka mode (bootstrap servers required), null in direct mode. */
    private static KafkaWriteOptions kafka(Config c) {
        if (!KAFKA_TOPIC_NAME.matcher(c.get(KAFKA_TOPIC)).matches()
                || c.get(KAFKA_TOPIC).equals(".")
                || c.get(KAFKA_TOPIC).equals("..")) {
            throw c.invalid(
                    KAFKA_TOPIC,
                    "want a Kafka topic name: 1..249 of [a-zA-Z0-9._-], not . or ..; got '" + c.get(KAFKA_TOPIC) + "'");
        }
        if (!KAFKA_GROUP_ID.matcher(c.get(KAFKA_INGEST_GROUP)).matches()) {
            throw c.invalid(
                    KAFKA_INGEST_GROUP,
                    "want the ingest job's Kafka consumer group id: 1..255 characters, no whitespace; got '"
                            + c.get(KAFKA_INGEST_GROUP) + "'");
        }
        if (c.get(WRITE_MODE) != WriteMode.KAFKA) {
            return null;
        }
        if (c.get(KAFKA_BOOTSTRAP_SERVERS).isEmpty()) {
            throw c.invalid(
                    KAFKA_BOOTSTRAP_SERVERS,
                    "required when " + WRITE_MODE.key() + " is kafka: want host:port of at least one Kafka broker");
        }
        return new KafkaWriteOptions(
                c.get(KAFKA_BOOTSTRAP_SERVERS),
                c.get(KAFKA_TOPIC),
                c.get(KAFKA_ACK_TIMEOUT),
                "meridian-broker-" + c.get(NODE_ID),
                c.get(KAFKA_INGEST_GROUP));
    }

    /**
     * {@code broker.prometheus.series-cache: -1}: the label sets a 32nd of the heap holds (32,768 at 1 GiB). A
     * Prometheus sends each of its active series every scrape; a cache whose generation (half of it) holds fewer keeps
     * moving them between generations and checks the rest again, which doubled the CPU of a 10,000-series remote
     * write at a 64th (docs/benchmarks.md).
     */
    public static int defaultSeriesCache(long heapBytes) {
        return (int) Math.min(Integer.MAX_VALUE, heapBytes / 32 / RemoteWriteBatcher.CACHED_SERIES_BYTES);
    }

    /**
     * {@code broker.write.line-shapes: -1}: the line shapes a 64th of the heap holds (10,922 at 1 GiB: ten times the
     * series of the TSBS day). A broker whose steady series outnumber it describes the rest again in every body, as
     * it did before it kept any.
     */
    public static int defaultLineShapes(long heapBytes) {
        return (int) Math.min(Integer.MAX_VALUE, heapBytes / 64 / LineShapes.BYTES_PER_SHAPE);
    }

    /**
     * The heap shares of a broker ({@code MemoryBudget}): request bodies in flight, the remote-write label sets, the
     * line shapes and, in Kafka mode, the producer.
     */
    public List<MemoryBudget.Share> memoryShares() {
        return memoryShares(httpMaxInFlightBytes, prometheusSeriesCache, lineShapes, writeMode);
    }

    private static List<MemoryBudget.Share> memoryShares(
            long inFlight, int seriesCache, int lineShapes, WriteMode mode) {
        MemoryBudget.Share bodies =
                new MemoryBudget.Share(HTTP_MAX_IN_FLIGHT.key(), "request bodies held at once", inFlight);
        MemoryBudget.Share labelSets = new MemoryBudget.Share(
                PROMETHEUS_SERIES_CACHE.key(),
                "remote-write label sets kept checked",
                (long) seriesCache * RemoteWriteBatcher.CACHED_SERIES_BYTES);
        MemoryBudget.Share shapes = new MemoryBudget.Share(
                WRITE_LINE_SHAPES.key(),
                "line-protocol series shapes kept described",
                (long) lineShapes * LineShapes.BYTES_PER_SHAPE);
        if (mode != WriteMode.KAFKA) {
            return List.of(bodies, labelSets, shapes);
        }
        return List.of(
                bodies,
                labelSets,
                shapes,
                new MemoryBudget.Share(
                        "buffer.memory",
                        "records the Kafka producer holds until acknowledged (Kafka's default)",
                        KAFKA_PRODUCER_BUFFER_BYTES));
    }
}
