package io.meridian.storage.node;

import static io.meridian.common.config.ConfigTypes.STRING;
import static io.meridian.common.config.ConfigTypes.durationAtLeast;
import static io.meridian.common.config.ConfigTypes.enumOf;
import static io.meridian.common.config.ConfigTypes.intIn;
import static io.meridian.common.config.ConfigTypes.longIn;
import static io.meridian.common.config.ConfigTypes.sizeAtLeast;

import io.meridian.common.config.ConfigDef;
import io.meridian.common.config.ConfigOption;
import io.meridian.common.config.NodeConfigKeys;
import io.meridian.meta.store.MetaConfigKeys;
import io.meridian.storage.file.FsyncMode;
import io.meridian.storage.replication.ReplicationOptions;
import io.meridian.storage.server.StorageServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Every configuration key of the storage role, with its type, default and doc. {@code docs/configuration.md}
 * lists the same keys (a test keeps the two in step).
 */
public final class StorageConfigKeys {
    private static final EngineSettings ENGINE = EngineSettings.defaults();
    private static final Duration MS = Duration.ofMillis(1);
    private static final Duration ZERO = Duration.ZERO;

    // node
    public static final ConfigOption<String> NODE_ID = NodeConfigKeys.id();
    public static final ConfigOption<String> NODE_IDC = NodeConfigKeys.idc("The data centre (IDC) this node is in.");
    public static final ConfigOption<String> NODE_CLUSTER = ConfigOption.of(
            "node.cluster", STRING, "default", "The storage cluster this node belongs to (one cluster per IDC).");
    public static final ConfigOption<String> NODE_DATA_DIR =
            NodeConfigKeys.dataDir("Directory of this node's shards and its metadata snapshot; created when missing.");
    public static final ConfigOption<Duration> NODE_REPORT_INTERVAL = ConfigOption.of(
            "node.report-interval",
            durationAtLeast(Duration.ofMillis(100)),
            Duration.ofSeconds(1),
            "How often the node checks its replicas' status and, when it changed, publishes its report to etcd.");

    // meta (etcd): shared by every role
    public static final ConfigOption<List<String>> META_ENDPOINTS = MetaConfigKeys.ENDPOINTS;
    public static final ConfigOption<String> META_ROOT = MetaConfigKeys.ROOT;
    public static final ConfigOption<Duration> META_OPERATION_TIMEOUT = MetaConfigKeys.OPERATION_TIMEOUT;
    public static final ConfigOption<Duration> META_LEASE_TTL = MetaConfigKeys.LEASE_TTL;

    // gRPC server
    public static final ConfigOption<String> SERVER_HOST = ConfigOption.of(
            "storage.server.host",
            STRING,
            StorageServerOptions.DEFAULT_HOST,
            "Address the gRPC server binds to and that other nodes are told to dial.");
    public static final ConfigOption<Integer> SERVER_PORT = ConfigOption.of(
            "storage.server.port",
            intIn(0, 65_535),
            StorageServerOptions.DEFAULT_PORT,
            "gRPC port; 0 picks a free one.");
    public static final ConfigOption<Integer> HTTP_PORT = ConfigOption.of(
            "storage.http.port",
            intIn(-1, 65_535),
            StorageHttpServer.DEFAULT_PORT,
            "HTTP port of the node's `/metrics` (Prometheus text format) and"
                    + " `/health/live`, on `storage.server.host`; 0 picks a free one (logged), -1 turns it off.");
    public static final ConfigOption<Long> SERVER_MAX_MESSAGE = ConfigOption.of(
            "storage.server.max-message-size",
            sizeAtLeast(1024),
            (long) StorageServerOptions.DEFAULT_MAX_MESSAGE_BYTES,
            "Largest accepted request.");
    public static final ConfigOption<Duration> SERVER_SHUTDOWN_GRACE = ConfigOption.of(
            "storage.server.shutdown-grace",
            durationAtLeast(ZERO),
            StorageServerOptions.DEFAULT_SHUTDOWN_GRACE,
            "How long in-flight calls may finish at shutdown before they are cancelled.");
    public static final ConfigOption<Integer> SERVER_WORKER_THREADS = ConfigOption.of(
            "storage.server.worker-threads",
            intIn(1, 4096),
            StorageServerOptions.DEFAULT_WORKER_THREADS,
            "Threads running calls (they may block on the WAL's fsync).");

    // engine
    public static final ConfigOption<Duration> SEGMENT_DURATION = ConfigOption.of(
            "storage.segment-duration",
            durationAtLeast(Duration.ofSeconds(1)),
            ENGINE.segmentDuration(),
            "Time span of one segment; every database interval must divide it. Retention drops whole segments.");
    public static final ConfigOption<Long> MEMTABLE_SIZE = ConfigOption.of(
            "storage.memtable.size",
            sizeAtLeast(1),
            ENGINE.memtableBytes(),
            "Heap bytes of raw points per shard before a flush.");
    public static final ConfigOption<Long> MEMTABLE_NODE_LIMIT = ConfigOption.of(
            "storage.memtable.node-limit",
            sizeAtLeast(0),
            0L,
            "Heap bytes of raw points of all shards of the node together; over it the largest"
                    + " shard flushes and writes wait, then get a retriable BUSY. 0: a quarter of the heap.");
    public static final ConfigOption<Duration> MEMTABLE_MAX_AGE = ConfigOption.of(
            "storage.memtable.max-age",
            durationAtLeast(ZERO),
            ENGINE.memtableMaxAge(),
            "A memtable older than this is flushed by the background upkeep, so an idle shard's WAL stays short.");
    public static final ConfigOption<FsyncMode> WAL_FSYNC = ConfigOption.of(
            "storage.wal.fsync",
            enumOf(FsyncMode.class),
            ENGINE.walFsync(),
            "When the WAL is fsynced: `always` (before a write is acknowledged, with group commit), `interval`"
                    + " (every `storage.maintenance.interval`) or `never`.");
    public static final ConfigOption<Long> WAL_SEGMENT_SIZE = ConfigOption.of(
            "storage.wal.segment-size",
            sizeAtLeast(1),
            ENGINE.walSegmentBytes(),
            "Size at which the WAL rolls over to a new segment file.");
    public static final ConfigOption<Duration> FUTURE_TOLERANCE = ConfigOption.of(
            "storage.write.future-tolerance",
            durationAtLeast(ZERO),
            ENGINE.futureTolerance(),
            "How far ahead of the node's clock a point may be.");
    public static final ConfigOption<Integer> SERIES_PER_METRIC = ConfigOption.of(
            "storage.limits.series-per-metric",
            intIn(1, Integer.MAX_VALUE),
            ENGINE.seriesPerMetric(),
            "Most series one metric may have in a shard; more are rejected with an error.");
    public static final ConfigOption<Integer> TAGS_PER_SERIES = ConfigOption.of(
            "storage.limits.tags-per-series",
            intIn(1, Integer.MAX_VALUE),
            ENGINE.tagsPerSeries(),
            "Most tags one series may have.");
    public static final ConfigOption<Integer> FIELDS_PER_METRIC = ConfigOption.of(
            "storage.limits.fields-per-metric",
            intIn(1, Integer.MAX_VALUE),
            ENGINE.fieldsPerMetric(),
            "Most fields one metric may have.");
    public static final ConfigOption<Long> BLOCK_CACHE_SIZE = ConfigOption.of(
            "storage.block-cache.size",
            sizeAtLeast(0),
            0L,
            "Heap bytes of decoded blocks cached for all shards of the node together. 0: an eighth of the heap.");
    public static final ConfigOption<Integer> COMPACTION_MIN_PARTS = ConfigOption.of(
            "storage.compaction.min-parts",
            intIn(2, 1024),
            ENGINE.compactionMinParts(),
            "Parts of one family segment that trigger a merge.");
    public static final ConfigOption<Duration> MAINTENANCE_INTERVAL = ConfigOption.of(
            "storage.maintenance.interval",
            durationAtLeast(Duration.ofMillis(10)),
            ENGINE.maintenanceInterval(),
            "How often the background upkeep (interval fsync, age flushes, compaction, retention) runs.");
    public static final ConfigOption<Duration> STAGED_EXPIRY = ConfigOption.of(
            "storage.transactions.staged-expiry",
            durationAtLeast(Duration.ofSeconds(1)),
            ENGINE.stagedTransactionExpiry(),
            "A transaction an exactly-once writer staged this long ago and never committed or aborted is aborted by"
                    + " the shard leader (logged with the writer id, counted in"
                    + " `meridian_storage_transactions_expired_total`). Longer than any job downtime you would restore"
                    + " from a checkpoint after.");
    public static final ConfigOption<Integer> DISK_MIN_FREE_PERCENT = ConfigOption.of(
            "storage.disk.min-free-percent",
            intIn(0, 50),
            ENGINE.diskMinFreePercent(),
            "Free-space watermark of the data directory, as a percentage of its file system (the larger of this and"
                    + " `storage.disk.min-free-floor` applies): below it writes are refused with a retriable 507 and"
                    + " compactions wait; they resume by themselves when space returns.");
    public static final ConfigOption<Long> DISK_MIN_FREE_FLOOR = ConfigOption.of(
            "storage.disk.min-free-floor",
            sizeAtLeast(0),
            ENGINE.diskMinFreeFloor(),
            "The free-space watermark's floor in bytes.");

    // replication
    public static final ConfigOption<Long> REPLICATION_FETCH_MAX = ConfigOption.of(
            "storage.replication.fetch-max-bytes",
            sizeAtLeast(1024),
            ReplicationOptions.DEFAULT_FETCH_MAX_BYTES,
            "Rough size bound of one follower fetch from the leader; at most `storage.server.max-message-size`.");
    public static final ConfigOption<Duration> REPLICATION_FETCH_WAIT = ConfigOption.of(
            "storage.replication.fetch-wait",
            durationAtLeast(ZERO),
            ReplicationOptions.DEFAULT_FETCH_WAIT,
            "How long a follower's fetch waits on the leader for new ops (at most 10s).");
    public static final ConfigOption<Duration> REPLICATION_LAG_MAX = ConfigOption.of(
            "storage.replication.lag-max",
            durationAtLeast(MS),
            ReplicationOptions.DEFAULT_LAG_MAX,
            "A follower that has not fetched for this long leaves the leader's in-sync view (write concern `all`"
                    + " stops waiting for it).");
    public static final ConfigOption<Duration> REPLICATION_ACK_TIMEOUT = ConfigOption.of(
            "storage.replication.ack-timeout",
            durationAtLeast(MS),
            ReplicationOptions.DEFAULT_ACK_TIMEOUT,
            "How long a write waits for its write concern before it fails with a retriable error.");
    public static final ConfigOption<Long> REPLICATION_MAX_UNCOMMITTED = ConfigOption.of(
            "storage.replication.max-uncommitted-ops",
            longIn(1, Long.MAX_VALUE),
            ReplicationOptions.DEFAULT_MAX_UNCOMMITTED_OPS,
            "Ops a leader may hold beyond the commit point before writes get a retriable busy error.");
    public static final ConfigOption<Long> REPLICATION_WAL_RETENTION = ConfigOption.of(
            "storage.replication.wal-retention-max",
            sizeAtLeast(1),
            ReplicationOptions.DEFAULT_WAL_RETENTION_MAX,
            "WAL bytes a leader keeps beyond its flush checkpoint for lagging followers; a follower further behind"
                    + " needs a re-sync.");

    /** Key prefixes of the other roles: the storage role leaves them alone in a shared file. */
    public static final Set<String> OTHER_ROLES = Set.of("broker.", "master.", "ingest.", "standalone.", "etcd.");

    /** Every storage key, in the order of docs/configuration.md. */
    public static final ConfigDef DEF = new ConfigDef(
            List.of(
                    NODE_ID,
                    NODE_IDC,
                    NODE_CLUSTER,
                    NODE_DATA_DIR,
                    NODE_REPORT_INTERVAL,
                    META_ENDPOINTS,
                    META_ROOT,
                    META_OPERATION_TIMEOUT,
                    META_LEASE_TTL,
                    SERVER_HOST,
                    SERVER_PORT,
                    HTTP_PORT,
                    SERVER_MAX_MESSAGE,
                    SERVER_SHUTDOWN_GRACE,
                    SERVER_WORKER_THREADS,
                    SEGMENT_DURATION,
                    MEMTABLE_SIZE,
                    MEMTABLE_NODE_LIMIT,
                    MEMTABLE_MAX_AGE,
                    WAL_FSYNC,
                    WAL_SEGMENT_SIZE,
                    FUTURE_TOLERANCE,
                    SERIES_PER_METRIC,
                    TAGS_PER_SERIES,
                    FIELDS_PER_METRIC,
                    BLOCK_CACHE_SIZE,
                    COMPACTION_MIN_PARTS,
                    MAINTENANCE_INTERVAL,
                    STAGED_EXPIRY,
                    DISK_MIN_FREE_PERCENT,
                    DISK_MIN_FREE_FLOOR,
                    REPLICATION_FETCH_MAX,
                    REPLICATION_FETCH_WAIT,
                    REPLICATION_LAG_MAX,
                    REPLICATION_ACK_TIMEOUT,
                    REPLICATION_MAX_UNCOMMITTED,
                    REPLICATION_WAL_RETENTION),
            OTHER_ROLES);

    private StorageConfigKeys() {}
}
