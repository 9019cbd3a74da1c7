package io.meridian.broker.node;

import static io.meridian.broker.node.BrokerConfigKeys.*;

import io.meridian.common.config.Config;
import io.meridian.common.config.ConfigException;
import io.meridian.common.config.ConfigOption;
import io.meridian.common.config.ConfigTree;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Names;
import io.meridian.meta.master.MasterOptions;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.store.MetaStoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

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
 * @param httpWorkerThreads {@code broker.http.worker-threads}
 * @param grpcPort        {@code broker.grpc.port}, 0 for a free one
 * @param writeTimeout    {@code broker.write.timeout}
 * @param queryTimeout    {@code broker.query.timeout}
 * @param queryMaxGroups  {@code broker.query.max-groups}
 * @param master          {@code master.*}
 */
public record BrokerNodeConfig(String nodeId, String idc, String host, Path dataDir, MetaStoreOptions meta,
                               Duration leaseTtl, int httpPort, int httpMaxBodyBytes, int httpWorkerThreads,
                               int grpcPort, Duration writeTimeout, Duration queryTimeout, int queryMaxGroups,
                               MasterOptions master) {
    public BrokerNodeConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(idc, "idc");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(leaseTtl, "leaseTtl");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
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
        name(c, NODE_ID, "node");
        name(c, NODE_IDC, "idc");
        if (c.get(NODE_HOST).isBlank()) {
            throw c.invalid(NODE_HOST, "want a host name or address other nodes can reach; got ''");
        }
        wholeSeconds(c, META_LEASE_TTL);
        wholeSeconds(c, MASTER_LEASE_TTL);
        if (c.get(HTTP_MAX_BODY) > Integer.MAX_VALUE) {
            throw c.invalid(HTTP_MAX_BODY, "want at most 2GiB - 1B; got " + c.get(HTTP_MAX_BODY) + " bytes");
        }
        MetaStoreOptions meta;
        try {
            meta = new MetaStoreOptions(c.get(META_ENDPOINTS), c.get(META_ROOT), c.get(META_OPERATION_TIMEOUT),
                    MetaStoreOptions.DEFAULT_WATCH_CHECK_INTERVAL);
        } catch (IllegalArgumentException e) {
            throw c.invalid(META_ROOT, e.getMessage());
        }
        MasterOptions master = new MasterOptions(c.get(MASTER_LEASE_TTL), c.get(MASTER_POLL_INTERVAL),
                c.get(MASTER_RECONCILE_INTERVAL), c.get(MASTER_REBUILD_GRACE),
                new PlannerOptions(c.get(MASTER_REBALANCE_DELAY), c.get(MASTER_REPAIR_DELAY)));
        return new BrokerNodeConfig(c.get(NODE_ID), c.get(NODE_IDC), c.get(NODE_HOST),
                Path.of(c.get(NODE_DATA_DIR)), meta, c.get(META_LEASE_TTL), c.get(HTTP_PORT),
                (int) (long) c.get(HTTP_MAX_BODY), c.get(HTTP_WORKER_THREADS), c.get(GRPC_PORT),
                c.get(WRITE_TIMEOUT), c.get(QUERY_TIMEOUT), c.get(QUERY_MAX_GROUPS), master);
    }

    private static void wholeSeconds(Config c, ConfigOption<Duration> option) {
        if (c.get(option).toMillis() % 1000 != 0) {
            throw c.invalid(option, "etcd leases have whole seconds; got " + c.get(option));
        }
    }

    private static void name(Config c, ConfigOption<String> option, String what) {
        try {
            Names.requireValid(what, c.get(option));
        } catch (InvalidInputException e) {
            throw c.invalid(option, e.getMessage());
        }
    }
}
