package io.meridian.meta.store;

import java.util.Objects;

/**
 * The one key layout under a configurable root prefix (documented in {@code docs/meta-layout.md}).
 *
 * <pre>
 * {root}/cluster                              ClusterMarker     written once by the first master; absent = etcd is new or wiped
 * {root}/master                               MasterInfo        lease-bound; its create revision fences master writes
 * {root}/nodes/{role}/{nodeId}                NodeInfo          lease-bound; gone = node dead
 * {root}/reports/{nodeId}                     NodeReport        lease-bound; what a node holds (self-healing, seqs)
 * {root}/clusters/{cluster}                   StorageCluster    master-written
 * {root}/databases/{db}                       DatabaseConfig    master-written
 * {root}/shards/{db}/{cluster}/{shard}        ShardState        master-written
 * </pre>
 *
 * Names are validated ({@code [A-Za-z_][A-Za-z0-9_.:-]*}) before they reach a key, so '/' never occurs inside
 * a segment.
 */
public final class MetaKeys {
    private final String root;

    public MetaKeys(String root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    public String root() {
        return root;
    }

    /** Everything Meridian stores, for watches that feed a whole-cluster cache. */
    public String all() {
        return root + "/";
    }

    public String clusterMarker() {
        return root + "/cluster";
    }

    public String master() {
        return root + "/master";
    }

    public String nodes() {
        return root + "/nodes/";
    }

    public String nodes(String role) {
        return root + "/nodes/" + role + "/";
    }

    public String node(String role, String nodeId) {
        return nodes(role) + nodeId;
    }

    public String reports() {
        return root + "/reports/";
    }

    public String report(String nodeId) {
        return reports() + nodeId;
    }

    public String clusters() {
        return root + "/clusters/";
    }

    public String cluster(String name) {
        return clusters() + name;
    }

    public String databases() {
        return root + "/databases/";
    }

    public String database(String name) {
        return databases() + name;
    }

    public String shards() {
        return root + "/shards/";
    }

    public String shards(String db) {
        return shards() + db + "/";
    }

    public String shard(String db, String cluster, int shard) {
        return shards(db) + cluster + "/" + shard;
    }
}
