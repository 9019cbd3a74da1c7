package io.meridian.common.query;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;

/**
 * The working memory one query may take on a node, counted in cells: a (group, bucket, field) of the dense tables
 * the leaves and every merge level fill ({@code groups x buckets x fields}). A cell is a reference plus, where it
 * holds a value, a partial aggregate, so the bound is derived from the heap: {@value #HEAP_BYTES_PER_CELL} bytes of
 * heap per cell (a 1 GiB heap: about 16.7 M cells; 8 GiB: 134 M). A query over it is refused with
 * {@link ErrorCode#LIMIT_EXCEEDED} before its tables are allocated, instead of running the node out of memory;
 * the usual cause is a statement that reads every slot of a long range because its aggregation cannot be pushed
 * (e.g. {@code COUNT(x), COUNT(DISTINCT tag)} together without a time range).
 */
public final class QueryMemory {
    /** Heap bytes per cell the bound reserves: the table reference and its share of partial aggregates. */
    public static final long HEAP_BYTES_PER_CELL = 64;

    private static final long MAX_CELLS =
            Math.max(1_000_000, Runtime.getRuntime().maxMemory() / HEAP_BYTES_PER_CELL);

    private QueryMemory() {}

    /** Cells one query may hold on this node. */
    public static long maxCells() {
        return MAX_CELLS;
    }

    /** Whether {@code groups x buckets x fields} cells stay within {@link #maxCells()}. */
    public static boolean fits(long groups, long buckets, long fields) {
        long cells = groups * buckets * fields;
        return groups <= 0 || buckets <= 0 || fields <= 0 || (cells / groups / buckets == fields && cells <= MAX_CELLS);
    }

    /**
     * @param where names the query in the error, e.g. {@code metric=cpu, shard=tsbs/c1/0}
     * @throws InvalidInputException ({@link ErrorCode#LIMIT_EXCEEDED}) when {@code groups x buckets x fields} cells
     *                               would pass {@link #maxCells()}
     */
    public static void check(long groups, long buckets, long fields, String where) {
        if (!fits(groups, buckets, fields)) {
            long cells = groups * buckets * fields;
            throw new InvalidInputException(
                    ErrorCode.LIMIT_EXCEEDED,
                    "query needs too much working memory [" + where
                            + ", groups=" + groups + ", buckets=" + buckets + ", fields=" + fields + "]: " + cells
                            + " cells > "
                            + MAX_CELLS + " (heap / " + HEAP_BYTES_PER_CELL
                            + " bytes); bound the time range, narrow the"
                            + " filter, group by fewer tags, use a wider bucket, or aggregate in a way that is pushed down"
                            + " (EXPLAIN shows what is read as scan=slots)");
        }
    }
}
