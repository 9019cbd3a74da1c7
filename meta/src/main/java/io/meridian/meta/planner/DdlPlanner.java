package io.meridian.meta.planner;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Durations;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Validates DDL against the current view and turns it into changes. A rejected statement throws
 * {@link InvalidInputException} with the reason and changes nothing. Accepted database DDL comes with the
 * shard placement it implies, so config and states are written in one transaction.
 */
public final class DdlPlanner {
    private final ShardPlanner shards;

    public DdlPlanner(ShardPlanner shards) {
        this.shards = Objects.requireNonNull(shards, "shards");
    }

    public List<MetaChange> createCluster(ClusterView view, StorageCluster cluster) {
        if (view.clusters().containsKey(cluster.name())) {
            throw InvalidInputException.alreadyExists("cluster", cluster.name());
        }
        return List.of(new MetaChange.PutCluster(cluster));
    }

    public List<MetaChange> dropCluster(ClusterView view, String name) {
        if (!view.clusters().containsKey(name)) {
            throw InvalidInputException.notFound("cluster", name);
        }
        List<String> users = view.databases().values().stream()
                .filter(d -> d.clusters().contains(name))
                .map(DatabaseConfig::name)
                .toList();
        if (!users.isEmpty()) {
            throw new InvalidInputException(
                    "cannot drop cluster [cluster=" + name + ", databases=" + users + "]: databases still use it");
        }
        return List.of(new MetaChange.DeleteCluster(name));
    }

    public List<MetaChange> createDatabase(ClusterView view, DatabaseConfig config) {
        if (view.databases().containsKey(config.name())) {
            throw InvalidInputException.alreadyExists("database", config.name());
        }
        checkPlaceable(view, config);
        // a new incarnation of the name: storage nodes delete directories an earlier one of the same name left
        DatabaseConfig created = config.generation() != 0
                ? config
                : config.withGeneration(Math.max(1, view.now().toEpochMilli()));
        return withPlacement(view, new MetaChange.PutDatabase(created));
    }

    public List<MetaChange> alterDatabase(ClusterView view, DatabaseConfig config) {
        DatabaseConfig old = view.databases().get(config.name());
        if (old == null) {
            throw InvalidInputException.notFound("database", config.name());
        }
        if (old.shards() != config.shards()) {
            throw new InvalidInputException("cannot change the shard count [database=" + config.name()
                    + "]: got " + config.shards() + "; want " + old.shards()
                    + " (series are hashed modulo the shard count)");
        }
        if (!old.intervals().get(0).interval().equals(config.intervals().get(0).interval())) {
            throw new InvalidInputException("cannot change the base interval [database=" + config.name()
                    + "]: got " + Durations.format(config.intervals().get(0).interval()) + "; want "
                    + Durations.format(old.intervals().get(0).interval()));
        }
        checkPlaceable(view, config);
        return withPlacement(view, new MetaChange.PutDatabase(config.withGeneration(old.generation())));
    }

    public List<MetaChange> dropDatabase(ClusterView view, String name) {
        if (!view.databases().containsKey(name)) {
            throw InvalidInputException.notFound("database", name);
        }
        List<MetaChange> changes = new ArrayList<>();
        changes.add(new MetaChange.DeleteDatabase(name));
        for (ShardState s : view.states().values()) {
            if (s.db().equals(name)) {
                changes.add(new MetaChange.DeleteShard(s.id()));
            }
        }
        return List.copyOf(changes);
    }

    private List<MetaChange> withPlacement(ClusterView view, MetaChange.PutDatabase put) {
        ClusterView after = view.apply(List.of(put));
        List<MetaChange> changes = new ArrayList<>();
        changes.add(put);
        shards.reconcile(after).stream()
                .filter(c -> c instanceof MetaChange.PutShard p
                                && p.state().db().equals(put.config().name())
                        || c instanceof MetaChange.DeleteShard d
                                && d.id().db().equals(put.config().name()))
                .forEach(changes::add);
        return List.copyOf(changes);
    }

    private static void checkPlaceable(ClusterView view, DatabaseConfig config) {
        for (String cluster : config.clusters()) {
            if (!view.clusters().containsKey(cluster)) {
                throw InvalidInputException.notFound("cluster", cluster);
            }
            int live = view.liveStorage(cluster).size();
            if (config.replicas() > live) {
                throw new InvalidInputException(
                        ErrorCode.INVALID_INPUT,
                        "not enough live storage nodes [database="
                                + config.name() + ", cluster=" + cluster + "]: got " + live + "; want at least "
                                + config.replicas() + " (the replica count)");
            }
        }
    }
}
