package io.meridian.storage.server;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.DatabaseOptions;
import io.meridian.common.model.Names;

/**
 * Names one shard replica on this node: database and shard number. (The storage cluster is implied: a
 * node belongs to exactly one.)
 *
 * @param database database name
 * @param shard    shard number, 0-based, below {@link DatabaseOptions#MAX_SHARDS}
 */
public record ShardKey(String database, int shard) implements Comparable<ShardKey> {
    public ShardKey {
        Names.requireValid("database", database);
        if (shard < 0 || shard >= DatabaseOptions.MAX_SHARDS) {
            throw new InvalidInputException("invalid shard number [database=" + database + ", shard=" + shard
                    + "]: want 0.." + (DatabaseOptions.MAX_SHARDS - 1));
        }
    }

    /** {@code [database=db, shard=3]}: the context part of error messages. */
    public String context() {
        return "[database=" + database + ", shard=" + shard + "]";
    }

    @Override
    public int compareTo(ShardKey o) {
        int c = database.compareTo(o.database);
        return c != 0 ? c : Integer.compare(shard, o.shard);
    }

    @Override
    public String toString() {
        return database + "/shard-" + shard;
    }
}
