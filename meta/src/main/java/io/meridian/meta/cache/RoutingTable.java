package io.meridian.meta.cache;

import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.ShardState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * (db, shard) -&gt; leader address and epoch, precomputed from one {@link MetaSnapshot}. Immutable: lookups are
 * plain map reads and never touch etcd.
 *
 * <p>{@link #leader(String, int)} answers for the broker's home IDC: the database's cluster in that IDC, or the
 * database's first cluster when it has none there. {@link #leaders(String, int)} lists every IDC's leader,
 * for cross-IDC fan-out.
 */
public final class RoutingTable {
    private final long revision;
    private final Map<String, Route> home;
    private final Map<String, List<Route>> all;

    private RoutingTable(long revision, Map<String, Route> home, Map<String, List<Route>> all) {
        this.revision = revision;
        this.home = home;
        this.all = all;
    }

    public static RoutingTable of(MetaSnapshot s, String homeIdc) {
        Map<String, Route> home = new HashMap<>();
        Map<String, List<Route>> all = new HashMap<>();
        for (DatabaseConfig db : s.databases().values()) {
            String homeCluster = s.homeCluster(db, homeIdc);
            for (int shard = 0; shard < db.shards(); shard++) {
                List<Route> routes = new ArrayList<>();
                for (String cluster : db.clusters()) {
                    ShardState st = s.states().get(MetaSnapshot.stateKey(db.name(), cluster, shard));
                    Route r = route(s, st);
                    if (r == null) {
                        continue;
                    }
                    routes.add(r);
                    if (cluster.equals(homeCluster)) {
                        home.put(key(db.name(), shard), r);
                    }
                }
                all.put(key(db.name(), shard), List.copyOf(routes));
            }
        }
        return new RoutingTable(s.revision(), Collections.unmodifiableMap(home), Collections.unmodifiableMap(all));
    }

    /** The leader of (db, shard) in the home IDC; empty if the database is unknown or the shard has no leader. */
    public Optional<Route> leader(String db, int shard) {
        return Optional.ofNullable(home.get(key(db, shard)));
    }

    /** The leaders of (db, shard) in every cluster of the database that has one. */
    public List<Route> leaders(String db, int shard) {
        return all.getOrDefault(key(db, shard), List.of());
    }

    /** The metadata revision this table was computed from. */
    public long revision() {
        return revision;
    }

    public int size() {
        return home.size();
    }

    private static Route route(MetaSnapshot s, ShardState st) {
        if (st == null || st.leader() == null) {
            return null;
        }
        NodeInfo node = s.nodes().get(st.leader());
        return node == null ? null : new Route(st.id(), st.leader(), node.address(), st.epoch());
    }

    private static String key(String db, int shard) {
        return db + "#" + shard;
    }
}
