package io.meridian.meta.cache;

import io.meridian.meta.model.ClusterMarker;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.MasterInfo;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeReport;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.store.MetaEntry;
import io.meridian.meta.store.MetaEvent;
import io.meridian.meta.store.MetaKeys;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns etcd entries under the root into model records, one key at a time. Mutable; confined to one thread
 * (the owner's watch delivery thread, or one planning call).
 *
 * <p>A value that cannot be decoded is logged and skipped: one bad key must not take the whole cache down.
 */
public final class SnapshotDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotDecoder.class);

    private final String rootSlash;
    private long revision;
    private ClusterMarker marker;
    private MasterInfo master;
    private final Map<String, NodeInfo> nodes = new TreeMap<>();
    private final Map<String, StorageCluster> clusters = new TreeMap<>();
    private final Map<String, DatabaseConfig> databases = new TreeMap<>();
    private final Map<String, ShardState> states = new TreeMap<>();
    private final Map<String, NodeReport> reports = new TreeMap<>();

    public SnapshotDecoder(MetaKeys keys) {
        this.rootSlash = keys.all();
    }

    /** Decodes a full range in one go. */
    public static MetaSnapshot decode(MetaKeys keys, Iterable<MetaEntry> entries, long revision) {
        SnapshotDecoder d = new SnapshotDecoder(keys);
        d.load(entries, revision);
        return d.snapshot();
    }

    /** A decoder holding {@code snapshot}, to continue from with events after its revision. */
    public static SnapshotDecoder from(MetaKeys keys, MetaSnapshot snapshot) {
        SnapshotDecoder d = new SnapshotDecoder(keys);
        d.revision = snapshot.revision();
        d.marker = snapshot.marker();
        d.master = snapshot.master();
        d.nodes.putAll(snapshot.nodes());
        d.clusters.putAll(snapshot.clusters());
        d.databases.putAll(snapshot.databases());
        d.states.putAll(snapshot.states());
        d.reports.putAll(snapshot.reports());
        return d;
    }

    /** Adds every entry of a range read at {@code atRevision}. */
    public void load(Iterable<MetaEntry> entries, long atRevision) {
        entries.forEach(this::put);
        revision = Math.max(revision, atRevision);
    }

    public void apply(MetaEvent event) {
        if (event.type() == MetaEvent.Type.PUT) {
            put(event.entry());
        } else {
            delete(event.entry().key());
        }
        revision = Math.max(revision, event.revision());
    }

    public boolean hasMarker() {
        return marker != null;
    }

    /** The cluster marker held so far, or null. */
    public ClusterMarker marker() {
        return marker;
    }

    public MetaSnapshot snapshot() {
        return new MetaSnapshot(revision, marker, master, nodes, clusters, databases, states, reports);
    }

    private void put(MetaEntry e) {
        String[] p = parts(e.key());
        if (p == null) {
            return;
        }
        try {
            switch (p[0]) {
                case "cluster" -> marker = p.length == 1 ? decode(e, ClusterMarker.class) : marker;
                case "master" -> master = p.length == 1 ? decode(e, MasterInfo.class) : master;
                case "nodes" -> putIf(p.length == 3, nodes, p[p.length - 1], e, NodeInfo.class);
                case "reports" -> putIf(p.length == 2, reports, p[1], e, NodeReport.class);
                case "clusters" -> putIf(p.length == 2, clusters, p[1], e, StorageCluster.class);
                case "databases" -> putIf(p.length == 2, databases, p[1], e, DatabaseConfig.class);
                case "shards" -> putIf(p.length == 4, states, shardKey(p), e, ShardState.class);
                default -> LOG.debug("ignoring unknown meta key [key={}]", e.key());
            }
        } catch (RuntimeException bad) {
            LOG.warn(
                    "skipping undecodable meta value [key={}, modRevision={}]: {}",
                    e.key(),
                    e.modRevision(),
                    bad.getMessage());
        }
    }

    private void delete(String key) {
        String[] p = parts(key);
        if (p == null) {
            return;
        }
        switch (p[0]) {
            case "cluster" -> marker = p.length == 1 ? null : marker;
            case "master" -> master = p.length == 1 ? null : master;
            case "nodes" -> nodes.remove(p[p.length - 1]);
            case "reports" -> reports.remove(p[p.length - 1]);
            case "clusters" -> clusters.remove(p[p.length - 1]);
            case "databases" -> databases.remove(p[p.length - 1]);
            case "shards" -> {
                if (p.length == 4) {
                    states.remove(shardKey(p));
                }
            }
            default -> LOG.debug("ignoring unknown meta key [key={}]", key);
        }
    }

    private String[] parts(String key) {
        if (!key.startsWith(rootSlash) || key.length() == rootSlash.length()) {
            return null;
        }
        return key.substring(rootSlash.length()).split("/");
    }

    private static String shardKey(String[] p) {
        return p[1] + "/" + p[2] + "/" + p[3];
    }

    private static <T> void putIf(boolean shapeOk, Map<String, T> map, String id, MetaEntry e, Class<T> type) {
        if (shapeOk) {
            map.put(id, decode(e, type));
        }
    }

    private static <T> T decode(MetaEntry e, Class<T> type) {
        return ModelCodec.decode(e.value(), type, "etcd:" + e.key());
    }
}
