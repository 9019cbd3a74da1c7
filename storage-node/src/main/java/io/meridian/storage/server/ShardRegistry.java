package io.meridian.storage.server;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.NotLeaderException;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.io.FileTrees;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.engine.ShardMaintenance;
import io.meridian.storage.file.DiskSpace;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.memtable.NodeMemory;
import io.meridian.storage.part.BlockCache;
import io.meridian.storage.shard.ShardMetrics;
import io.meridian.storage.shard.ShardOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard replicas this node serves, each a {@link Shard} in {@code <dataDir>/<database>/shard-<n>}
 * registered with the node's {@link ShardMaintenance}. {@link #open} and {@link #close(ShardKey)} are what
 * a meta watcher calls as the master assigns and moves replicas; both are idempotent.
 *
 * <p>Threading: lookups ({@link #replica}) are lock-free and may run on any thread; open, close and epoch
 * changes are serialized on this registry. A request that looked a replica up just before it was closed
 * fails with the shard's retriable {@code ShardUnavailableException}.
 */
public final class ShardRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardRegistry.class);
    /** The block cache of a registry built without one (tools and tests): 256 MiB for all its shards. */
    private static final long SHARED_TEST_CACHE_BYTES = 256L << 20;
    /** Directory name prefix of a shard under its database directory. */
    public static final String SHARD_DIR_PREFIX = "shard-";
    /** Directory under the data directory where damaged replicas are moved; never deleted by Meridian. */
    public static final String QUARANTINE_DIR = "quarantine";
    /** File in a database directory naming the incarnation of the database its shards belong to. */
    public static final String GENERATION_FILE = "GENERATION";
    /** Prefix of a dropped database's directory while it is being deleted ({@code <dataDir>/.dropped-<db>.<gen>}). */
    public static final String DROPPED_PREFIX = ".dropped-";

    private final Path dataDir;
    private final ShardMaintenance maintenance;
    private final NodeMemory memory;
    private final BlockCache blockCache;
    private final DiskSpace disk;
    private final MeterRegistry meters;
    private final Map<ShardKey, ShardReplica> replicas = new ConcurrentHashMap<>();

    /**
     * @param dataDir     the node's data directory
     * @param maintenance background upkeep that every opened shard is registered with; owned by the caller
     */
    public ShardRegistry(Path dataDir, ShardMaintenance maintenance) {
        this(dataDir, maintenance, NodeMemory.unbounded());
    }

    /** @param memory the node-wide memtable bound every shard opened here counts against */
    public ShardRegistry(Path dataDir, ShardMaintenance maintenance, NodeMemory memory) {
        this(dataDir, maintenance, memory, DiskSpace.unchecked(dataDir));
    }

    /** @param disk the free-space watermark of the data directory that writes to every shard here check */
    public ShardRegistry(Path dataDir, ShardMaintenance maintenance, NodeMemory memory, DiskSpace disk) {
        this(dataDir, maintenance, memory, disk, new SimpleMeterRegistry());
    }

    /** @param meters where the meters of every shard opened here (and of the replica roles over them) register */
    public ShardRegistry(
            Path dataDir, ShardMaintenance maintenance, NodeMemory memory, DiskSpace disk, MeterRegistry meters) {
        this(dataDir, maintenance, memory, disk, meters, new BlockCache(SHARED_TEST_CACHE_BYTES));
    }

    /** @param blockCache the node's decoded block cache, shared by every shard opened here */
    public ShardRegistry(
            Path dataDir,
            ShardMaintenance maintenance,
            NodeMemory memory,
            DiskSpace disk,
            MeterRegistry meters,
            BlockCache blockCache) {
        this.blockCache = Objects.requireNonNull(blockCache, "blockCache");
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        this.maintenance = Objects.requireNonNull(maintenance, "maintenance");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.disk = Objects.requireNonNull(disk, "disk");
        this.meters = Objects.requireNonNull(meters, "meters");
        deleteHalfDropped(dataDir);
    }

    /** Finishes the deletions of dropped databases that a crash interrupted ({@link #retire}). */
    private static void deleteHalfDropped(Path dataDir) {
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        try (var entries = Files.list(dataDir)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(DROPPED_PREFIX))
                    .toList()) {
                LOG.info("finishing the deletion of a dropped database's files [dir={}]", p);
                FileTrees.delete(p);
            }
        } catch (IOException e) {
            throw new StorageIoException("cannot delete the files of a dropped database [dataDir=" + dataDir + "]", e);
        }
    }

    /** The node's meter registry. */
    public MeterRegistry meters() {
        return meters;
    }

    /** The free-space watermark of this node's data directory. */
    public DiskSpace disk() {
        return disk;
    }

    /** Where a shard's files live: {@code <dataDir>/<database>/shard-<n>}. */
    public Path directory(ShardKey key) {
        return dataDir.resolve(key.database()).resolve(SHARD_DIR_PREFIX + key.shard());
    }

    /**
     * Makes {@code <dataDir>/<database>} belong to incarnation {@code generation} of the database (see
     * {@code DatabaseConfig.generation}) before a replica of it opens: when the directory was left by another
     * incarnation of the same name (the database was dropped, then created again), its open replicas are closed and
     * the directory is deleted, so that the new database starts empty. Generation 0 (unknown) claims nothing. The
     * incarnation is kept in {@code <dataDir>/<database>/GENERATION}; a directory without that file that holds
     * shards predates generations and belongs to an earlier incarnation too.
     *
     * @return whether an earlier incarnation's directory was deleted
     */
    public synchronized boolean claim(String database, long generation, FileIo io) {
        if (generation == 0) {
            return false;
        }
        Path dbDir = dataDir.resolve(database);
        Path marker = dbDir.resolve(GENERATION_FILE);
        try {
            if (Files.exists(marker)) {
                String held = Files.readString(marker).trim();
                if (held.equals(Long.toString(generation))) {
                    return false;
                }
            }
            boolean stale = Files.isDirectory(dbDir) && (Files.exists(marker) || hasShards(dbDir));
            if (stale) {
                for (ShardReplica r : replicas()) {
                    if (r.key().database().equals(database)) {
                        close(r.key());
                    }
                }
                LOG.warn(
                        "deleting the directory of an earlier database of the same name (dropped, then created "
                                + "again) [database={}, dir={}, generation={}]",
                        database,
                        dbDir,
                        generation);
                FileTrees.delete(dbDir);
            }
            io.createDirectoriesDurably(dbDir);
            Path tmp = dbDir.resolve(GENERATION_FILE + ".tmp");
            Files.writeString(tmp, generation + "\n");
            try (var ch = io.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            io.moveDurably(tmp, marker);
            return stale;
        } catch (IOException e) {
            throw new StorageIoException(
                    "cannot claim the database directory [database=" + database + ", dir=" + dbDir + ", generation="
                            + generation + "]",
                    e);
        }
    }

    /**
     * Frees the disk of a dropped database: deletes {@code <dataDir>/<database>} when it belongs to incarnation
     * {@code generation} (its GENERATION file says so) and no replica of it is open. Anything else is left alone: a
     * directory of another incarnation, of an unknown one (generation 0, or no GENERATION file), or one still in use.
     *
     * @return whether the directory was deleted
     */
    public synchronized boolean retire(String database, long generation) {
        Path dbDir = dataDir.resolve(database);
        Path marker = dbDir.resolve(GENERATION_FILE);
        if (generation == 0 || !Files.exists(marker)) {
            return false;
        }
        if (replicas.keySet().stream().anyMatch(k -> k.database().equals(database))) {
            LOG.warn(
                    "not deleting the files of a dropped database: a replica of it is still open [database={}, "
                            + "dir={}, generation={}]",
                    database,
                    dbDir,
                    generation);
            return false;
        }
        try {
            if (!Files.readString(marker).trim().equals(Long.toString(generation))) {
                return false;
            }
            long bytes = FileTrees.size(dbDir);
            // renamed first, so that a crash half-way leaves no directory that looks like a live database
            Path doomed = dataDir.resolve(DROPPED_PREFIX + database + "." + generation);
            FileTrees.delete(doomed);
            FileIo.NIO.moveDurably(dbDir, doomed);
            FileTrees.delete(doomed);
            FileIo.NIO.syncDirectory(dataDir);
            LOG.info(
                    "deleted the files of a dropped database [database={}, dir={}, generation={}, bytes={}]",
                    database,
                    dbDir,
                    generation,
                    bytes);
            return true;
        } catch (IOException e) {
            throw new StorageIoException(
                    "cannot delete the files of a dropped database [database=" + database + ", dir=" + dbDir
                            + ", generation=" + generation + "]",
                    e);
        }
    }

    private static boolean hasShards(Path dbDir) throws IOException {
        try (var entries = Files.list(dbDir)) {
            return entries.anyMatch(p -> p.getFileName().toString().startsWith(SHARD_DIR_PREFIX));
        }
    }

    /**
     * Moves the directory of a replica that is not open to {@code <dataDir>/quarantine/<database>/shard-<n>.<millis>}
     * (Meridian never deletes anything there), so that the replica can start again empty and re-sync from its
     * leader.
     *
     * @return where the files now are
     */
    public synchronized Path quarantine(ShardKey key, FileIo io) {
        if (replicas.containsKey(key)) {
            throw new IllegalStateException("cannot quarantine an open replica " + key.context());
        }
        Path dir = directory(key);
        Path target = dataDir.resolve(QUARANTINE_DIR)
                .resolve(key.database())
                .resolve(SHARD_DIR_PREFIX + key.shard() + "." + System.currentTimeMillis());
        try {
            io.createDirectoriesDurably(target.getParent());
            io.moveDurably(dir, target);
        } catch (IOException e) {
            throw new StorageIoException(
                    "cannot move a damaged replica to quarantine " + key.context() + " [from=" + dir + ", to=" + target
                            + "]",
                    e);
        }
        LOG.warn(
                "moved a damaged replica to quarantine; it starts empty and re-syncs from its leader [database={}, "
                        + "shard={}, to={}]",
                key.database(),
                key.shard(),
                target);
        return target;
    }

    /**
     * Opens (recovering from its WAL) or creates a replica and starts serving it at {@code epoch}. When it is
     * already open, only a higher epoch is taken over; the options of the open shard stay.
     *
     * @throws InvalidInputException when the options are for another database or the shard number is not
     *                               below the database's shard count
     */
    public synchronized ShardReplica open(ShardKey key, ShardOptions options, long epoch) {
        return open(key, options, epoch, true);
    }

    /**
     * Opens (recovering from its WAL) or creates a replica and serves it at {@code epoch} in the given role. When
     * it is already open, only a higher epoch (or the same epoch with another role) is taken over.
     */
    public synchronized ShardReplica open(ShardKey key, ShardOptions options, long epoch, boolean leader) {
        if (!options.database().name().equals(key.database())) {
            throw new InvalidInputException("shard options are for another database " + key.context() + ": got "
                    + options.database().name());
        }
        if (key.shard() >= options.database().shards()) {
            throw new InvalidInputException("shard number out of range " + key.context() + ": want 0.."
                    + (options.database().shards() - 1));
        }
        ShardReplica existing = replicas.get(key);
        if (existing != null) {
            return epoch > existing.epoch() || epoch == existing.epoch() && leader != existing.leader()
                    ? setRole(key, epoch, leader)
                    : existing;
        }
        long started = System.nanoTime();
        Shard shard = Shard.open(
                directory(key), options, new ShardMetrics(meters, key.database(), key.shard()), memory, blockCache);
        if (leader) {
            shard.setEpoch(epoch);
        }
        ShardReplica replica = new ShardReplica(key, shard, epoch, leader);
        maintenance.register(shard);
        replicas.put(key, replica);
        LOG.info(
                "serving shard replica [database={}, shard={}, epoch={}, role={}, lsn={}, ms={}]",
                key.database(),
                key.shard(),
                epoch,
                leader ? "leader" : "follower",
                shard.lastLsn(),
                (System.nanoTime() - started) / 1_000_000);
        return replica;
    }

    /**
     * Moves an open replica to a new epoch (a leader change). Epochs never go back.
     *
     * @throws InvalidInputException when the replica is not open here
     * @throws IllegalArgumentException when {@code epoch} is below the current one
     */
    public synchronized ShardReplica setEpoch(ShardKey key, long epoch) {
        return setRole(key, epoch, replica(key).leader());
    }

    /**
     * Moves an open replica to an epoch and role (a leader change). Epochs never go back.
     *
     * @throws InvalidInputException when the replica is not open here
     * @throws IllegalArgumentException when {@code epoch} is below the current one
     */
    public synchronized ShardReplica setRole(ShardKey key, long epoch, boolean leader) {
        ShardReplica current = replica(key);
        if (epoch < current.epoch()) {
            throw new IllegalArgumentException(
                    "shard epoch cannot go back " + key.context() + ": got " + epoch + "; at " + current.epoch());
        }
        ShardReplica next = current.withRole(epoch, leader);
        if (leader) {
            current.shard().setEpoch(epoch);
        }
        replicas.put(key, next);
        if (epoch != current.epoch() || leader != current.leader()) {
            LOG.info(
                    "shard role changed [database={}, shard={}, epoch={}->{}, role={}, lsn={}]",
                    key.database(),
                    key.shard(),
                    current.epoch(),
                    epoch,
                    leader ? "leader" : "follower",
                    current.shard().lastLsn());
        }
        return next;
    }

    /**
     * Stops serving a replica and closes its files (unflushed points stay in the WAL for the next open).
     *
     * @return false when it was not open
     */
    public synchronized boolean close(ShardKey key) {
        ShardReplica r = replicas.remove(key);
        if (r == null) {
            return false;
        }
        maintenance.unregister(r.shard());
        r.shard().close();
        LOG.info(
                "stopped serving shard replica [database={}, shard={}, epoch={}]",
                key.database(),
                key.shard(),
                r.epoch());
        return true;
    }

    /**
     * The served replica.
     *
     * @throws io.meridian.common.error.NotLeaderException (retriable) naming the database or the shard that is not here
     */
    public ShardReplica replica(ShardKey key) {
        ShardReplica r = replicas.get(key);
        if (r != null) {
            return r;
        }
        boolean databaseKnown =
                replicas.keySet().stream().anyMatch(k -> k.database().equals(key.database()));
        if (!databaseKnown) {
            // retriable: the caller routed by metadata this node has not acted on yet (a database just created, a
            // replica just moved); it refreshes its routing and tries again
            throw new NotLeaderException("database is not served by this node [database=" + key.database() + "]");
        }
        throw new NotLeaderException("shard is not served by this node " + key.context());
    }

    /** The served replicas, sorted by (database, shard). */
    public List<ShardReplica> replicas() {
        List<ShardReplica> all = new ArrayList<>(replicas.values());
        all.sort((a, b) -> a.key().compareTo(b.key()));
        return all;
    }

    /** Closes every replica; a failure to close one does not stop the others and is rethrown at the end. */
    @Override
    public synchronized void close() {
        RuntimeException first = null;
        for (ShardReplica r : replicas()) {
            try {
                close(r.key());
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
