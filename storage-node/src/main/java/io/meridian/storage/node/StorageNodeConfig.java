package io.meridian.storage.node;

import static io.meridian.storage.node.StorageConfigKeys.*;

import io.meridian.common.config.Config;
import io.meridian.common.config.ConfigException;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.config.MemoryBudget;
import io.meridian.meta.store.MetaConfigKeys;
import io.meridian.meta.store.MetaStoreOptions;
import io.meridian.storage.replication.ReplicationOptions;
import io.meridian.storage.server.StorageServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The whole configuration of one storage node process, typed and validated (keys in {@link StorageConfigKeys},
 * reference in docs/configuration.md).
 *
 * @param nodeId         {@code node.id}
 * @param idc            {@code node.idc}
 * @param cluster        {@code node.cluster}
 * @param dataDir        {@code node.data-dir}
 * @param reportInterval {@code node.report-interval}
 * @param meta           {@code meta.etcd.endpoints}, {@code meta.root}, {@code meta.operation-timeout}
 * @param leaseTtl       {@code meta.lease-ttl}
 * @param server         {@code storage.server.*}
 * @param httpPort       {@code storage.http.port}: /metrics and /health/live; 0 a free port, -1 off
 * @param engine         {@code storage.*} engine and upkeep settings
 * @param replication    {@code storage.replication.*}
 */
public record StorageNodeConfig(
        String nodeId,
        String idc,
        String cluster,
        Path dataDir,
        Duration reportInterval,
        MetaStoreOptions meta,
        Duration leaseTtl,
        StorageServerOptions server,
        int httpPort,
        EngineSettings engine,
        ReplicationOptions replication) {
    public StorageNodeConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(reportInterval, "reportInterval");
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(leaseTtl, "leaseTtl");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(replication, "replication");
    }

    /**
     * Reads and validates a YAML file.
     *
     * @throws ConfigException naming the file and the key of the first problem
     */
    public static StorageNodeConfig load(Path file) {
        return from(ConfigTree.load(file));
    }

    /** Validates an already read tree (tests, or a launcher that merged several sources). */
    public static StorageNodeConfig from(ConfigTree tree) {
        Config c = DEF.parse(tree);
        c.requireName(NODE_ID, "node");
        c.requireName(NODE_IDC, "idc");
        c.requireName(NODE_CLUSTER, "cluster");
        if (c.get(REPLICATION_FETCH_MAX) > c.get(SERVER_MAX_MESSAGE)) {
            throw c.invalid(
                    REPLICATION_FETCH_MAX,
                    "must not exceed storage.server.max-message-size (" + c.get(SERVER_MAX_MESSAGE) + " bytes); got "
                            + c.get(REPLICATION_FETCH_MAX) + " bytes");
        }
        if (c.get(SERVER_MAX_MESSAGE) > Integer.MAX_VALUE) {
            throw c.invalid(SERVER_MAX_MESSAGE, "want at most 2GiB - 1B");
        }
        MetaStoreOptions meta = MetaConfigKeys.storeOptions(c);
        StorageServerOptions server = new StorageServerOptions(
                c.get(SERVER_HOST),
                c.get(SERVER_PORT),
                (int) (long) c.get(SERVER_MAX_MESSAGE),
                c.get(SERVER_SHUTDOWN_GRACE),
                c.get(SERVER_WORKER_THREADS));
        EngineSettings engine = new EngineSettings(
                c.get(SEGMENT_DURATION),
                c.get(MEMTABLE_SIZE),
                c.get(MEMTABLE_MAX_AGE),
                c.get(WAL_FSYNC),
                c.get(WAL_SEGMENT_SIZE),
                c.get(FUTURE_TOLERANCE),
                c.get(SERIES_PER_METRIC),
                c.get(TAGS_PER_SERIES),
                c.get(FIELDS_PER_METRIC),
                c.get(BLOCK_CACHE_SIZE) == 0 ? EngineSettings.defaultBlockCacheBytes() : c.get(BLOCK_CACHE_SIZE),
                c.get(COMPACTION_MIN_PARTS),
                c.get(MAINTENANCE_INTERVAL),
                c.get(MEMTABLE_NODE_LIMIT) == 0
                        ? EngineSettings.defaultMemtableNodeBytes()
                        : c.get(MEMTABLE_NODE_LIMIT),
                c.get(STAGED_EXPIRY),
                c.get(DISK_MIN_FREE_PERCENT),
                c.get(DISK_MIN_FREE_FLOOR));
        MemoryBudget.check(
                "storage",
                Runtime.getRuntime().maxMemory(),
                memoryShares(engine),
                "MERIDIAN_STORAGE_JAVA_OPTS=-Xmx...");
        if (c.get(REPLICATION_FETCH_WAIT).compareTo(ReplicationOptions.MAX_FETCH_WAIT) > 0) {
            throw c.invalid(REPLICATION_FETCH_WAIT, "want at most 10s; got " + c.get(REPLICATION_FETCH_WAIT));
        }
        ReplicationOptions replication = new ReplicationOptions(
                c.get(REPLICATION_FETCH_MAX),
                c.get(REPLICATION_FETCH_WAIT),
                c.get(REPLICATION_LAG_MAX),
                c.get(REPLICATION_ACK_TIMEOUT),
                c.get(REPLICATION_MAX_UNCOMMITTED),
                c.get(REPLICATION_WAL_RETENTION));
        return new StorageNodeConfig(
                c.get(NODE_ID),
                c.get(NODE_IDC),
                c.get(NODE_CLUSTER),
                Path.of(c.get(NODE_DATA_DIR)),
                c.get(NODE_REPORT_INTERVAL),
                meta,
                c.get(META_LEASE_TTL),
                server,
                c.get(HTTP_PORT),
                engine,
                replication);
    }

    /** The heap shares of a storage node ({@code MemoryBudget}): memtables and the block cache, all shards together. */
    public List<MemoryBudget.Share> memoryShares() {
        return memoryShares(engine);
    }

    private static List<MemoryBudget.Share> memoryShares(EngineSettings engine) {
        return List.of(
                new MemoryBudget.Share(
                        MEMTABLE_NODE_LIMIT.key(), "memtables of all shards", engine.memtableNodeBytes()),
                new MemoryBudget.Share(
                        BLOCK_CACHE_SIZE.key(), "decoded blocks of all shards", engine.blockCacheBytes()));
    }
}
