package io.meridian.common.model;

import io.meridian.common.error.InvalidInputException;
import java.util.List;

/**
 * The storage-relevant options of a database. The first interval is the base interval; the others are
 * rollups, strictly coarser, each a whole multiple of the previous one and not kept shorter than it.
 */
public record DatabaseOptions(String name, int shards, List<IntervalSpec> intervals) {
    public static final int MAX_SHARDS = 1024;

    public DatabaseOptions {
        Names.requireValid("database", name);
        if (shards < 1 || shards > MAX_SHARDS) {
            throw new InvalidInputException(
                    "invalid shard count [database=" + name + "]: got " + shards + "; want 1.." + MAX_SHARDS);
        }
        IntervalSpec.checkList("database=" + name, intervals);
        intervals = List.copyOf(intervals);
    }

    public IntervalSpec base() {
        return intervals.get(0);
    }
}
