package io.meridian.broker.node;

import static io.meridian.common.config.ConfigTypes.STRING;
import static io.meridian.common.config.ConfigTypes.STRING_LIST;
import static io.meridian.common.config.ConfigTypes.durationAtLeast;
import static io.meridian.common.config.ConfigTypes.enumOf;
import static io.meridian.common.config.ConfigTypes.intIn;
import static io.meridian.common.config.ConfigTypes.sizeAtLeast;

import io.meridian.broker.write.WriteMode;
import io.meridian.common.config.ConfigDef;
import io.meridian.common.config.ConfigOption;
import io.meridian.common.config.NodeConfigKeys;
import io.meridian.common.lineprotocol.StringFieldPolicy;
import io.meridian.connector.kafka.IngestTopic;
import io.meridian.meta.master.MasterOptions;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.store.MetaConfigKeys;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Every configuration key of the broker role, with its type, default and doc. {@code docs/configuration.md}
 * lists the same keys (BrokerNodeConfigTest keeps the two in step). The {@code node.*} and {@code meta.*} keys
 * have the same names and meaning as the storage role's.
 */
public final class BrokerConfigKeys {
    private static final MasterOptions MASTER = MasterOptions.defaults();
    private static final Duration MS = Duration.ofMillis(1);
    private static final Duration ZERO = Duration.ZERO;

    // node
    public static final ConfigOption<String> NODE_ID = NodeConfigKeys.id();
    public static final ConfigOption<String> NODE_IDC = NodeConfigKeys.idc(
            "The data centre (IDC) this broker is in; its writes go to the storage cluster of this IDC.");
    public static final ConfigOption<String> NODE_HOST = ConfigOption.of(
            "node.host",
            STRING,
            "127.0.0.1",
            "Address the HTTP and gRPC servers bind to and that other nodes are told to dial.");
    public static final ConfigOption<String> NODE_DATA_DIR =
            NodeConfigKeys.dataDir("Directory of the broker's metadata snapshot; created when missing.");

    // meta (etcd): shared by every role
    public static final ConfigOption<List<String>> META_ENDPOINTS = MetaConfigKeys.ENDPOINTS;
    public static final ConfigOption<String> META_ROOT = MetaConfigKeys.ROOT;
    public static final ConfigOption<Duration> META_OPERATION_TIMEOUT = MetaConfigKeys.OPERATION_TIMEOUT;
    public static final ConfigOption<Duration> META_LEASE_TTL = MetaConfigKeys.LEASE_TTL;

    // broker servers and limits
    public static final ConfigOption<Integer> HTTP_PORT =
            ConfigOption.of("broker.http.port", intIn(0, 65_535), 8080, "HTTP API port; 0 picks a free one.");
    public static final ConfigOption<Long> HTTP_MAX_BODY = ConfigOption.of(
            "broker.http.max-body",
            sizeAtLeast(1024),
            64L << 20,
            "Largest accepted request body (after gzip decompression); larger is 413.");
    public static final ConfigOption<Long> HTTP_MAX_IN_FLIGHT = ConfigOption.of(
            "broker.http.max-in-flight-bytes",
            sizeAtLeast(0),
            0L,
            "Request body bytes a broker holds at once (queued or being handled); a request over"
                    + " it is answered 503 with Retry-After instead of queued. 0: an eighth of the heap, at least"
                    + " broker.http.max-body.");
    public static final ConfigOption<Integer> HTTP_WORKER_THREADS = ConfigOption.of(
            "broker.http.worker-threads",
            intIn(1, 4096),
            32,
            "Threads running HTTP requests (writes wait on the shard leaders, DDL on the master).");
    public static final ConfigOption<Integer> GRPC_PORT = ConfigOption.of(
            "broker.grpc.port",
            intIn(0, 65_535),
            8081,
            "gRPC port of the broker's internal services (distributed queries); 0 picks a free one.");
    public static final ConfigOption<Duration> WRITE_TIMEOUT = ConfigOption.of(
            "broker.write.timeout",
            durationAtLeast(MS),
            Duration.ofSeconds(30),
            "How long one write (or field declaration) may take, retries on leader changes included.");
    public static final ConfigOption<WriteMode> WRITE_MODE = ConfigOption.of(
            "broker.write.mode",
            enumOf(WriteMode.class),
            WriteMode.DIRECT,
            "Where writes go: `direct` to the shard leaders, or `kafka` to the ingest topic (acknowledged once Kafka"
                    + " has every record with acks=all).");
    public static final ConfigOption<StringFieldPolicy> WRITE_STRING_FIELDS = ConfigOption.of(
            "broker.write.string-fields",
            enumOf(StringFieldPolicy.class),
            StringFieldPolicy.SKIP,
            "Quoted string field values of line protocol (`msg=\"hello\"`, common from Telegraf): `skip` drops them"
                    + " and writes the line's numeric fields and the other lines, counted in the X-Meridian-Skipped-*"
                    + " response headers and meridian_broker_write_skipped_total; `reject` refuses the whole request (400).");
    public static final ConfigOption<Integer> WRITE_LINE_SHAPES = ConfigOption.of(
            "broker.write.line-shapes",
            intIn(-1, Integer.MAX_VALUE),
            -1,
            "Line-protocol series shapes (measurement, tags and field names as written) kept described for the next"
                    + " bodies, about 1.5 KiB each with ten tags; -1: what a 64th of the heap holds; 0: none, every body"
                    + " describes its series again.");
    public static final ConfigOption<String> PROMETHEUS_DATABASE = ConfigOption.of(
            "broker.prometheus.database",
            STRING,
            "",
            "The database of Prometheus remote write and read requests without `?db=`; empty: they must"
                    + " name one.");

    // kafka write mode
    public static final ConfigOption<List<String>> KAFKA_BOOTSTRAP_SERVERS = ConfigOption.of(
            "broker.kafka.bootstrap-servers",
            STRING_LIST,
            List.of(),
            "Kafka brokers (host:port, a list or comma-separated); required when `broker.write.mode` is `kafka`.");
    public static final ConfigOption<String> KAFKA_TOPIC = ConfigOption.of(
            "broker.kafka.topic",
            STRING,
            IngestTopic.DEFAULT_TOPIC,
            "The ingest topic (connectors/kafka/FORMAT.md); ideally one partition per" + " shard. It must exist.");
    public static final ConfigOption<Duration> KAFKA_ACK_TIMEOUT = ConfigOption.of(
            "broker.kafka.ack-timeout",
            durationAtLeast(MS),
            Duration.ofSeconds(30),
            "How long a write waits for Kafka to acknowledge all its records; then it is answered 503.");
    public static final ConfigOption<String> KAFKA_INGEST_GROUP = ConfigOption.of(
            "broker.kafka.ingest-group",
            STRING,
            IngestTopic.DEFAULT_GROUP,
            "The ingest job's consumer group (`ingest.kafka.group-id`): the broker reports how far the job is behind"
                    + " the topic as `meridian_broker_kafka_ingest_lag_records`.");
    public static final ConfigOption<Duration> QUERY_TIMEOUT = ConfigOption.of(
            "broker.query.timeout",
            durationAtLeast(MS),
            Duration.ofSeconds(30),
            "How long one query may run before it is cancelled.");
    public static final ConfigOption<Integer> PROMETHEUS_SERIES_CACHE = ConfigOption.of(
            "broker.prometheus.series-cache",
            intIn(-1, Integer.MAX_VALUE),
            -1,
            "Label sets of Prometheus remote write kept checked and keyed, found by their bytes (about 1 KiB"
                    + " each); -1: what a 64th of the heap holds; 0: none.");
    public static final ConfigOption<Integer> QUERY_MAX_GROUPS = ConfigOption.of(
            "broker.query.max-groups",
            intIn(1, Integer.MAX_VALUE),
            100_000,
            "Most groups (group key x bucket) one query may produce.");

    // master role (every broker is a candidate)
    public static final ConfigOption<Duration> MASTER_LEASE_TTL = ConfigOption.of(
            "master.lease-ttl",
            durationAtLeast(Duration.ofSeconds(1)),
            MASTER.leaseTtl(),
            "The master election lease: a dead master is replaced within about this long. Whole seconds.");
    public static final ConfigOption<Duration> MASTER_POLL_INTERVAL = ConfigOption.of(
            "master.poll-interval",
            durationAtLeast(Duration.ofMillis(10)),
            MASTER.pollInterval(),
            "How often a candidate tries to become master and a master checks that it still is.");
    public static final ConfigOption<Duration> MASTER_RECONCILE_INTERVAL = ConfigOption.of(
            "master.reconcile-interval",
            durationAtLeast(Duration.ofMillis(10)),
            MASTER.reconcileInterval(),
            "How often the master re-plans shards even without a watched change.");
    public static final ConfigOption<Duration> MASTER_REBUILD_GRACE = ConfigOption.of(
            "master.rebuild-grace",
            durationAtLeast(ZERO),
            MASTER.rebuildGrace(),
            "After finding etcd empty, how long the master waits for nodes to re-report before it rebuilds the"
                    + " metadata from their reports.");
    public static final ConfigOption<Duration> MASTER_REBALANCE_DELAY = ConfigOption.of(
            "master.rebalance-delay",
            durationAtLeast(ZERO),
            PlannerOptions.DEFAULT_REBALANCE_DELAY,
            "A new or returning storage node takes replicas from others only after being live this long.");
    public static final ConfigOption<Duration> MASTER_REPAIR_DELAY = ConfigOption.of(
            "master.repair-delay",
            durationAtLeast(ZERO),
            PlannerOptions.DEFAULT_REPAIR_DELAY,
            "A replica on a storage node dead this long is replaced by one on a live spare node.");

    /** Key prefixes of the other roles: the broker role leaves them alone in a shared file. */
    public static final Set<String> OTHER_ROLES = Set.of("storage.", "ingest.", "standalone.", "etcd.");

    /** Every broker key, in the order of docs/configuration.md. */
    public static final ConfigDef DEF = new ConfigDef(
            List.of(
                    NODE_ID,
                    NODE_IDC,
                    NODE_HOST,
                    NODE_DATA_DIR,
                    META_ENDPOINTS,
                    META_ROOT,
                    META_OPERATION_TIMEOUT,
                    META_LEASE_TTL,
                    HTTP_PORT,
                    HTTP_MAX_BODY,
                    HTTP_MAX_IN_FLIGHT,
                    HTTP_WORKER_THREADS,
                    GRPC_PORT,
                    WRITE_TIMEOUT,
                    WRITE_MODE,
                    WRITE_STRING_FIELDS,
                    WRITE_LINE_SHAPES,
                    PROMETHEUS_DATABASE,
                    PROMETHEUS_SERIES_CACHE,
                    KAFKA_BOOTSTRAP_SERVERS,
                    KAFKA_TOPIC,
                    KAFKA_ACK_TIMEOUT,
                    KAFKA_INGEST_GROUP,
                    QUERY_TIMEOUT,
                    QUERY_MAX_GROUPS,
                    MASTER_LEASE_TTL,
                    MASTER_POLL_INTERVAL,
                    MASTER_RECONCILE_INTERVAL,
                    MASTER_REBUILD_GRACE,
                    MASTER_REBALANCE_DELAY,
                    MASTER_REPAIR_DELAY),
            OTHER_ROLES);

    private BrokerConfigKeys() {}
}
