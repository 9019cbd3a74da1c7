package io.meridian.storage.query;

import io.meridian.common.model.FieldType;
import io.meridian.common.model.Names;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.PostingsIndex;
import io.meridian.storage.index.SeriesDictionary;
import io.meridian.storage.memtable.MemTable;
import io.meridian.storage.memtable.MemTables;
import io.meridian.storage.part.PartReader;
import io.meridian.storage.part.PartSet;
import io.meridian.storage.part.PartStore;
import io.meridian.storage.shard.ShardOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.roaringbitmap.RoaringBitmap;

/**
 * Plans a leaf query over a shard: the matching series (postings), the interval family to read, the query
 * narrowed to the span that family's data can be in ({@link DataSpan}), the series' groups, the field ids, and
 * the parts and memtables that hold the narrowed range, as a {@link LeafAggregator.View}.
 *
 * <p>The family is chosen on the query as asked and kept for the narrowed one: both of its ends stay on the
 * query's bucket grid, so they stay aligned to that family, but they might become aligned to a coarser family
 * whose data span was not looked at.
 *
 * <p>Not thread-safe: called under the shard's read lock.
 */
public final class LeafQueryPlanner {
    private final PostingsIndex postings;
    private final SeriesDictionary dictionary;
    private final FieldSchema schema;
    private final PartStore partStore;
    private final MemTables memTables;
    private final ShardOptions options;

    public LeafQueryPlanner(
            PostingsIndex postings,
            SeriesDictionary dictionary,
            FieldSchema schema,
            PartStore partStore,
            MemTables memTables,
            ShardOptions options) {
        this.postings = postings;
        this.dictionary = dictionary;
        this.schema = schema;
        this.partStore = partStore;
        this.memTables = memTables;
        this.options = options;
    }

    /** Whether {@code q} has more buckets, or groups x buckets, than a leaf materialises. */
    private static boolean tooWide(LeafQuery q, int groups) {
        if (q.bucketMs() == 0) {
            return false;
        }
        long buckets = -Math.floorDiv(q.startMs() - q.endMs(), q.bucketMs());
        return buckets > LeafQuery.MAX_BUCKETS || buckets * Math.max(1, groups) > LeafQuery.MAX_CELLS;
    }

    /**
     * The view of {@code q}, or empty when no series matches or the shard holds no data of the family in
     * {@code q}'s range. Acquires each part it reads into {@code acquired}, which the caller releases once the
     * query ran (even when this throws).
     *
     * @throws io.meridian.common.error.InvalidInputException when the narrowed range has too many buckets
     */
    public Optional<LeafAggregator.View> plan(LeafQuery q, List<PartReader> acquired) {
        RoaringBitmap series = postings.resolve(q.metric(), q.predicate());
        if (series.isEmpty()) {
            return Optional.empty(); // and no bucket to count: other metrics' data does not make this one too wide
        }
        long iv = LeafAggregator.chooseInterval(q, options.database().intervals());
        PartSet parts = partStore.snapshot();
        List<MemTable> memtables = memTables.all();
        DataSpan span = DataSpan.of(parts, memtables, iv);
        Optional<LeafQuery> narrowed = span.isEmpty() ? Optional.empty() : q.within(span.startMs(), span.endMs());
        if (narrowed.isEmpty()) {
            return Optional.empty();
        }
        LeafQuery scan = narrowed.get();
        int bound = dictionary.nextId();
        int[] groupOf = new int[bound];
        List<List<String>> groups = new ArrayList<>();
        LeafAggregator.assignGroups(
                scan, series, bound, (key, consumer) -> postings.forEachValue(key, series, consumer), groupOf, groups);
        if (tooWide(scan, groups.size())) {
            // the shard's span covers other metrics' or series' data far from these: narrow to these series' own
            DataSpan own = DataSpan.ofSeries(series, parts, memtables, iv);
            narrowed = own.isEmpty() ? Optional.empty() : q.within(own.startMs(), own.endMs());
            if (narrowed.isEmpty()) {
                return Optional.empty();
            }
            scan = narrowed.get();
        }
        scan.bucketCount(); // the bucket bound, before any work
        int[] fieldIds = new int[scan.fields().size()];
        FieldType[] types = new FieldType[fieldIds.length];
        for (int i = 0; i < fieldIds.length; i++) {
            FieldSchema.Field f = schema.get(scan.metric(), scan.fields().get(i));
            fieldIds[i] = f == null ? -1 : f.id();
            types[i] = f == null ? FieldType.GAUGE : f.type();
        }
        List<PartReader> ps = parts.parts(iv, scan.startMs(), scan.endMs(), options.segmentMillis());
        for (PartReader p : ps) {
            if (!p.acquire()) {
                throw new IllegalStateException("BUG: retired part still published [file=" + p.path() + "]");
            }
            acquired.add(p);
        }
        int[] rowFieldIds = scan.fields().contains(Names.ROWS)
                ? schema.fields(scan.metric()).values().stream()
                        .mapToInt(FieldSchema.Field::id)
                        .toArray()
                : new int[0];
        return Optional.of(new LeafAggregator.View(
                scan, series, groupOf, groups, fieldIds, types, ps, memtables, iv, rowFieldIds));
    }
}
