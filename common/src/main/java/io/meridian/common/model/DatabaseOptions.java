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
        if (intervals == null || intervals.isEmpty()) {
            throw new InvalidInputException("invalid intervals [database=" + name + "]: want at least one");
        }
        intervals = List.copyOf(intervals);
        for (int i = 1; i < intervals.size(); i++) {
            IntervalSpec prev = intervals.get(i - 1);
            IntervalSpec cur = intervals.get(i);
            if (cur.intervalMillis() <= prev.intervalMillis() || cur.intervalMillis() % prev.intervalMillis() != 0) {
                throw new InvalidInputException("invalid intervals [database=" + name + ", interval=" + cur
                        + "]: each rollup must be a whole multiple of the previous interval " + prev);
            }
            if (cur.retention().compareTo(prev.retention()) < 0) {
                throw new InvalidInputException("invalid intervals [database=" + name + ", interval=" + cur
                        + "]: a rollup must not be kept shorter than the previous interval " + prev);
            }
        }
    }

    public IntervalSpec base() {
        return intervals.get(0);
    }
}
