package io.meridian.storage.node;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.DatabaseOptions;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.ShardState;
import io.meridian.storage.replication.ReplicaAssignment;
import io.meridian.storage.server.ShardKey;
import io.meridian.storage.shard.ShardOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Pure mapping from a metadata snapshot to this node's {@link ReplicaAssignment}s: every shard state of this
 * node's cluster that lists the node as a replica, with the database's intervals turned into
 * {@link ShardOptions} through the node's {@link EngineSettings}, and the leader's address taken from the
 * leader's registration.
 *
 * <p>A leader that is not registered (it died and the master has not moved leadership yet) is passed on as
 * "no leader": followers have nobody to fetch from until the master decides. When this node is the leader its
 * own address is used, even before its registration shows up in the snapshot.
 */
public final class AssignmentPlanner {
    private final NodeInfo self;
    private final EngineSettings engine;

    /**
     * @param self   this node (id, cluster and the address it serves at)
     * @param engine the node's engine settings
     */
    public AssignmentPlanner(NodeInfo self, EngineSettings engine) {
        this.self = Objects.requireNonNull(self, "self");
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    public AssignmentPlan plan(MetaSnapshot snapshot) {
        List<ReplicaAssignment> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<ShardState> mine = snapshot.replicasOf(self.id()).stream()
                .filter(s -> s.cluster().equals(self.cluster()))
                .sorted(Comparator.comparing(ShardState::id))
                .toList();
        for (ShardState s : mine) {
            DatabaseConfig db = snapshot.databases().get(s.db());
            if (db == null) {
                skipped.add("no database config for shard [shard=" + s.id() + "]");
                continue;
            }
            if (s.epoch() < 1) {
                skipped.add("shard has no epoch yet [shard=" + s.id() + ", epoch=" + s.epoch() + "]");
                continue;
            }
            try {
                out.add(assignment(snapshot, s, db));
            } catch (InvalidInputException e) {
                skipped.add("cannot serve shard [shard=" + s.id() + "]: " + e.getMessage());
            }
        }
        return new AssignmentPlan(out, skipped);
    }

    private ReplicaAssignment assignment(MetaSnapshot snapshot, ShardState s, DatabaseConfig db) {
        ShardOptions options = engine.shardOptions(databaseOptions(db));
        String leaderAddress = leaderAddress(snapshot, s.leader());
        String leaderId = leaderAddress == null ? null : s.leader();
        Map<String, String> addresses = new TreeMap<>();
        for (String replica : s.replicas()) {
            String address = replica.equals(self.id()) ? self.address() : addressOf(snapshot, replica);
            if (address != null) {
                addresses.put(replica, address);
            }
        }
        return new ReplicaAssignment(
                new ShardKey(s.db(), s.shard()),
                options,
                s.epoch(),
                leaderId,
                leaderAddress,
                s.replicas(),
                s.inSync(),
                db.writeConcern(),
                addresses,
                db.generation());
    }

    private static String addressOf(MetaSnapshot snapshot, String node) {
        NodeInfo info = snapshot.nodes().get(node);
        return info == null ? null : info.address();
    }

    private String leaderAddress(MetaSnapshot snapshot, String leader) {
        if (leader == null) {
            return null;
        }
        if (leader.equals(self.id())) {
            return self.address();
        }
        NodeInfo info = snapshot.nodes().get(leader);
        return info == null ? null : info.address();
    }

    /** A database's storage options from its meta config. */
    public static DatabaseOptions databaseOptions(DatabaseConfig db) {
        return new DatabaseOptions(db.name(), db.shards(), db.intervals());
    }
}
