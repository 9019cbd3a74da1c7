package io.meridian.common.query;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Mergeable partial aggregates per (group, bucket, field): the one shape a query's answer has between the storage
 * leaf and the root broker. A leaf produces it ({@link #of}), every merge level (shards of a cluster, the IDCs at
 * the root) merges into it, and the root finishes it; {@code rpc.PartialTableCodec} carries it on the wire. Merging
 * is associative and commutative, so the order in which shards and IDCs answer never changes the result.
 *
 * <p>{@code cells().get(groupValues)[bucket * fields().size() + field]} is the state, or null when empty.
 *
 * <p>The window {@code [startMs, startMs + buckets * bucketMs)} is the part of the query's range the table
 * answers, on the query's bucket grid: a leaf narrows it to its data, so tables of one query may have different
 * windows, and one without data has 0 buckets. Merging widens the window to the union (re-indexing every group);
 * a window of more than {@link #MAX_BUCKETS} fails the query. With {@code bucketMs == 0} the window is the query's
 * one bucket.
 *
 * <p>The group bound ({@code maxGroups}) is checked whenever a group is added: a result that would exceed it fails
 * with {@link ErrorCode#LIMIT_EXCEEDED} rather than being cut; so is the query memory bound ({@link QueryMemory}).
 * Not thread-safe.
 */
public final class PartialTable {
    /** Bound on the buckets of a window, at the leaf and at every merge level. */
    public static final long MAX_BUCKETS = 10_000_000;
    /** The {@code maxGroups} of a table whose groups are bounded elsewhere (a leaf's, a test's). */
    public static final int UNBOUNDED = Integer.MAX_VALUE;

    /** Orders groups by their values, element by element: the order of streams and of result rows. */
    public static final Comparator<List<String>> GROUP_ORDER = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private final List<String> groupBy;
    private final List<String> fields;
    private final int fieldCount;
    private final long bucketMs;
    /** The origin of the bucket grid: every window starts on it plus a multiple of {@code bucketMs}. */
    private final long gridStartMs;

    private final int maxGroups;
    private final Map<List<String>, AggState[]> groups;
    private long startMs;
    private int buckets;

    private PartialTable(
            List<String> groupBy,
            List<String> fields,
            long gridStartMs,
            long bucketMs,
            int maxGroups,
            long startMs,
            int buckets,
            Map<List<String>, AggState[]> groups) {
        if (bucketMs < 0 || (bucketMs == 0 && buckets != 1)) {
            throw new IllegalArgumentException("a window of " + buckets + " buckets of " + bucketMs + " ms");
        }
        this.groupBy = List.copyOf(groupBy);
        this.fields = List.copyOf(fields);
        this.fieldCount = fields.size();
        this.bucketMs = bucketMs;
        this.gridStartMs = gridStartMs;
        this.maxGroups = maxGroups;
        this.startMs = startMs;
        this.buckets = buckets;
        this.groups = groups;
    }

    /**
     * An empty table: no bucket (one when {@code bucketMs == 0}), the grid starting at {@code gridStartMs} (the
     * query's start).
     */
    public static PartialTable empty(
            List<String> groupBy, List<String> fields, long gridStartMs, long bucketMs, int maxGroups) {
        return new PartialTable(
                groupBy, fields, gridStartMs, bucketMs, maxGroups, gridStartMs, bucketMs == 0 ? 1 : 0, new HashMap<>());
    }

    /**
     * A table over the window {@code [startMs, startMs + buckets * bucketMs)} that takes {@code cells} (arrays of
     * {@code buckets * fields.size()} states, indexed as in {@link #cells()}) as they are: a leaf's answer. The table
     * owns {@code cells} from then on (a mutable map the caller no longer uses). Its grid starts at {@code startMs};
     * its groups are not bounded.
     */
    public static PartialTable of(
            List<String> groupBy,
            List<String> fields,
            long startMs,
            long bucketMs,
            int buckets,
            Map<List<String>, AggState[]> cells) {
        return new PartialTable(groupBy, fields, startMs, bucketMs, UNBOUNDED, startMs, buckets, cells);
    }

    /** An empty table of the same shape, grid and group bound. */
    public PartialTable emptyCopy() {
        return empty(groupBy, fields, gridStartMs, bucketMs, maxGroups);
    }

    public List<String> groupBy() {
        return groupBy;
    }

    public List<String> fields() {
        return fields;
    }

    public long startMs() {
        return startMs;
    }

    public long bucketMs() {
        return bucketMs;
    }

    public int buckets() {
        return buckets;
    }

    public int maxGroups() {
        return maxGroups;
    }

    public int groupCount() {
        return groups.size();
    }

    /** The groups and their states (a read-only view; the arrays are the table's). */
    public Map<List<String>, AggState[]> cells() {
        return Collections.unmodifiableMap(groups);
    }

    /** The groups in {@link #GROUP_ORDER}. */
    public List<Map.Entry<List<String>, AggState[]>> sortedGroups() {
        List<Map.Entry<List<String>, AggState[]>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.comparingByKey(GROUP_ORDER));
        return sorted;
    }

    /**
     * The first {@code limit} groups in {@link #GROUP_ORDER} that have a cell (a leaf's answer to a pushed top-n:
     * storage.proto's {@code group_limit}); every group, sorted, when {@code limit <= 0}.
     */
    public List<Map.Entry<List<String>, AggState[]>> firstGroups(int limit) {
        List<Map.Entry<List<String>, AggState[]>> sorted = sortedGroups();
        return limit <= 0
                ? sorted
                : sorted.stream()
                        .filter(g -> Arrays.stream(g.getValue()).anyMatch(Objects::nonNull))
                        .limit(limit)
                        .toList();
    }

    /**
     * This table cut to its {@link #firstGroups first groups}, sharing their states; itself when {@code limit <= 0}.
     * This table must not be used afterwards.
     */
    public PartialTable limitedTo(int limit) {
        if (limit <= 0) {
            return this;
        }
        Map<List<String>, AggState[]> kept = new HashMap<>();
        firstGroups(limit).forEach(g -> kept.put(g.getKey(), g.getValue()));
        return new PartialTable(groupBy, fields, gridStartMs, bucketMs, maxGroups, startMs, buckets, kept);
    }

    public AggState cell(List<String> group, int bucket, int field) {
        AggState[] c = groups.get(group);
        return c == null ? null : c[bucket * fieldCount + field];
    }

    public long bucketStart(int bucket) {
        return startMs + bucket * bucketMs;
    }

    /** Merges {@code other} into this table, copying its states: {@code other} may be used afterwards. */
    public PartialTable merge(PartialTable other) {
        return mergeFrom(other, false);
    }

    /**
     * Merges {@code other} into this table, taking its states where this table has none (the merge levels of a
     * query, whose inputs are read once): {@code other} must not be used afterwards.
     */
    public PartialTable mergeAdopting(PartialTable other) {
        return mergeFrom(other, true);
    }

    private PartialTable mergeFrom(PartialTable other, boolean adopt) {
        if (!other.groupBy.equals(groupBy) || !other.fields.equals(fields) || other.bucketMs != bucketMs) {
            throw new InvalidInputException(
                    ErrorCode.BUG,
                    "partial result of another shape merged [got groupBy="
                            + other.groupBy + ", fields=" + other.fields + ", bucketMs=" + other.bucketMs
                            + "; want groupBy="
                            + groupBy + ", fields=" + fields + ", bucketMs=" + bucketMs + "]");
        }
        if (bucketMs > 0 && other.buckets > 0 && Math.floorMod(other.startMs - gridStartMs, bucketMs) != 0) {
            throw new InvalidInputException(
                    ErrorCode.BUG,
                    "BUG: leaf results on different bucket grids [bucketMs=" + bucketMs + "]: start " + other.startMs
                            + " vs grid " + gridStartMs);
        }
        widen(other.startMs, other.buckets, "source=merge");
        int offset = other.buckets == 0 ? 0 : bucketIndex(other.startMs) * fieldCount;
        for (Map.Entry<List<String>, AggState[]> e : other.groups.entrySet()) {
            AggState[] theirs = e.getValue();
            if (adopt && offset == 0 && theirs.length == buckets * fieldCount && !groups.containsKey(e.getKey())) {
                checkNewGroup();
                groups.put(e.getKey(), theirs);
                continue;
            }
            AggState[] mine = row(e.getKey());
            for (int i = 0; i < theirs.length; i++) {
                if (theirs[i] != null) {
                    mergeCell(mine, offset + i, theirs[i], adopt);
                }
            }
        }
        return this;
    }

    /**
     * The states of {@code group} (indexed as in {@link #cells()}), added empty when the table has no such group.
     *
     * @throws InvalidInputException (LIMIT_EXCEEDED) when a new group would exceed the group or the memory bound
     */
    public AggState[] row(List<String> group) {
        AggState[] cells = groups.get(group);
        if (cells == null) {
            checkNewGroup();
            cells = new AggState[buckets * fieldCount];
            groups.put(group, cells);
        }
        return cells;
    }

    /** Merges {@code state} into {@code row[index]}; {@code owned}: the state may be kept as it is. */
    public static void mergeCell(AggState[] row, int index, AggState state, boolean owned) {
        if (row[index] == null) {
            row[index] = owned ? state : state.copy();
        } else {
            row[index].merge(state);
        }
    }

    /** The index in this table's window of the bucket starting at {@code bucketStartMs} (on the grid). */
    public int bucketIndex(long bucketStartMs) {
        return bucketMs == 0 ? 0 : Math.toIntExact((bucketStartMs - startMs) / bucketMs);
    }

    /**
     * Widens the window to cover {@code [start, start + n * bucketMs)} as well, re-indexing every group's states.
     *
     * @param source names the sender in errors, e.g. {@code "shard=db/c1/3, node=s2"}
     * @throws InvalidInputException when the window would exceed {@link #MAX_BUCKETS} or the query memory bound
     */
    public void widen(long start, long n, String source) {
        if (bucketMs == 0 || n == 0) {
            return;
        }
        if (n > MAX_BUCKETS) {
            throw tooManyBuckets(start, n, source);
        }
        long end = start + n * bucketMs;
        long newStart = buckets == 0 ? start : Math.min(startMs, start);
        long newEnd = buckets == 0 ? end : Math.max(bucketStart(buckets), end);
        if (newStart == startMs && newEnd == bucketStart(buckets)) {
            return;
        }
        long width = (newEnd - newStart) / bucketMs;
        if (width > MAX_BUCKETS) {
            throw tooManyBuckets(newStart, width, source);
        }
        QueryMemory.check(groups.size(), width, fieldCount, "merge, groupBy=" + groupBy + ", " + source);
        int shift = buckets == 0 ? 0 : Math.toIntExact((startMs - newStart) / bucketMs) * fieldCount;
        for (Map.Entry<List<String>, AggState[]> e : groups.entrySet()) {
            AggState[] widened = new AggState[(int) width * fieldCount];
            AggState[] old = e.getValue();
            if (old.length > 0) {
                System.arraycopy(old, 0, widened, shift, old.length);
            }
            e.setValue(widened);
        }
        startMs = newStart;
        buckets = (int) width;
    }

    private void checkNewGroup() {
        if (groups.size() >= maxGroups) {
            throw new InvalidInputException(
                    ErrorCode.LIMIT_EXCEEDED,
                    "too many groups [groupBy=" + groupBy
                            + ", maxGroups=" + maxGroups + "]: narrow the filter or the group by, or raise the bound "
                            + "(broker.query.max-groups, or maxGroups in the request)");
        }
        if (!QueryMemory.fits(
                groups.size() + 1L, buckets, fieldCount)) { // runs per new group: the message on failure only
            QueryMemory.check(groups.size() + 1L, buckets, fieldCount, "merge, groupBy=" + groupBy);
        }
    }

    private InvalidInputException tooManyBuckets(long start, long n, String source) {
        return new InvalidInputException("too many buckets [groupBy=" + groupBy + ", startMs=" + start + ", bucketMs="
                + bucketMs + ", " + source + "]: " + n + " > " + MAX_BUCKETS
                + "; bound the time range (WHERE ts >= ...) or widen the bucket");
    }
}
