package io.meridian.meta.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.IntervalSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A database's configuration.
 *
 * @param name database name
 * @param shards number of shards (fixed at creation: the series hash is taken modulo this number)
 * @param replicas replicas per shard in each storage cluster
 * @param writeConcern when writes are acknowledged
 * @param intervals base interval first, then rollups, each coarser than the previous and a multiple of it
 * @param clusters the storage clusters (one per IDC) holding the database
 * @param generation which incarnation of the name this is: set by the master when it creates the database (its
 *                   clock in ms) and kept by ALTER, so that a storage node that still holds the shard directories
 *                   of a dropped database of the same name knows them for what they are and deletes them before it
 *                   serves the new one; 0 for a database created before generations existed (omitted in JSON)
 */
public record DatabaseConfig(
        String name,
        int shards,
        int replicas,
        WriteConcern writeConcern,
        List<IntervalSpec> intervals,
        List<String> clusters,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long generation) {
    /** Upper bound on shards per database, to keep one bad DDL from creating millions of keys. */
    public static final int MAX_SHARDS = 1024;

    /** A configuration the master has not created yet (generation 0: it assigns one). */
    public DatabaseConfig(
            String name,
            int shards,
            int replicas,
            WriteConcern writeConcern,
            List<IntervalSpec> intervals,
            List<String> clusters) {
        this(name, shards, replicas, writeConcern, intervals, clusters, 0);
    }

    /** The same configuration as incarnation {@code g}. */
    public DatabaseConfig withGeneration(long g) {
        return new DatabaseConfig(name, shards, replicas, writeConcern, intervals, clusters, g);
    }

    public DatabaseConfig {
        Checks.name("database", name);
        String ctx = "database=" + name;
        Checks.positive("shard count", ctx, shards);
        if (shards > MAX_SHARDS) {
            throw new InvalidInputException(
                    "invalid shard count [" + ctx + "]: got " + shards + "; want at most " + MAX_SHARDS);
        }
        Checks.positive("replica count", ctx, replicas);
        Objects.requireNonNull(writeConcern, "writeConcern");
        intervals = List.copyOf(Objects.requireNonNull(intervals, "intervals"));
        clusters = List.copyOf(Objects.requireNonNull(clusters, "clusters"));
        IntervalSpec.checkList(ctx, intervals); // the storage engine's rule: a database it accepts, storage can serve
        if (clusters.isEmpty()) {
            throw new InvalidInputException("invalid clusters [" + ctx + "]: want at least one storage cluster");
        }
        clusters.forEach(c -> Checks.name("cluster", c));
        if (new HashSet<>(clusters).size() != clusters.size()) {
            throw new InvalidInputException(
                    "invalid clusters [" + ctx + ", clusters=" + clusters + "]: a cluster is listed twice");
        }
    }
}
