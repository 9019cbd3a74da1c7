package io.meridian.storage.engine;

import io.meridian.common.model.FieldType;
import io.meridian.storage.block.PartReader;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.PostingsIndex;
import io.meridian.storage.index.SeriesDictionary;
import io.meridian.storage.query.LeafQuery;
import java.util.ArrayList;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * Plans a leaf query over a shard: the matching series (postings), their groups, the field ids, the interval
 * family to read, and the parts and memtables that hold the time range, as a {@link LeafAggregator.View}.
 *
 * <p>Not thread-safe: called under the shard's read lock.
 */
final class LeafQueryPlanner {
    private final PostingsIndex postings;
    private final SeriesDictionary dictionary;
    private final FieldSchema schema;
    private final PartStore partStore;
    private final MemTables memTables;
    private final ShardOptions options;

    LeafQueryPlanner(PostingsIndex postings, SeriesDictionary dictionary, FieldSchema schema, PartStore partStore,
                     MemTables memTables, ShardOptions options) {
        this.postings = postings;
        this.dictionary = dictionary;
        this.schema = schema;
        this.partStore = partStore;
        this.memTables = memTables;
        this.options = options;
    }

    /**
     * The view of {@code q}. Acquires each part it reads into {@code acquired}, which the caller releases once the
     * query ran (even when this throws).
     */
    LeafAggregator.View plan(LeafQuery q, List<PartReader> acquired) {
        RoaringBitmap series = postings.resolve(q.metric(), q.predicate());
        int bound = dictionary.nextId();
        int[] groupOf = new int[bound];
        List<List<String>> groups = new ArrayList<>();
        LeafAggregator.assignGroups(q, series, bound, (key, consumer) -> postings.forEachValue(key, series, consumer),
                groupOf, groups);
        int[] fieldIds = new int[q.fields().size()];
        boolean[] histogram = new boolean[fieldIds.length];
        for (int i = 0; i < fieldIds.length; i++) {
            FieldSchema.Field f = schema.get(q.metric(), q.fields().get(i));
            fieldIds[i] = f == null ? -1 : f.id();
            histogram[i] = f != null && f.type() == FieldType.HISTOGRAM;
        }
        long iv = LeafAggregator.chooseInterval(q, options.database().intervals());
        List<PartReader> ps = partStore.snapshot().parts(iv, q.startMs(), q.endMs(), options.segmentMillis());
        for (PartReader p : ps) {
            if (!p.acquire()) {
                throw new IllegalStateException("BUG: retired part still published [file=" + p.path() + "]");
            }
            acquired.add(p);
        }
        return new LeafAggregator.View(series, groupOf, groups, fieldIds, histogram, ps, memTables.all(), iv);
    }
}
