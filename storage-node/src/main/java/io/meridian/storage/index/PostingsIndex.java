package io.meridian.storage.index;

import io.meridian.common.model.SeriesKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.roaringbitmap.RoaringBitmap;

/**
 * The inverted index of a shard: metric -> series bitmap, and tag key -> tag value -> series bitmap
 * (RoaringBitmap). Predicates resolve to bitmaps through set operations on these postings: equality and IN
 * are lookups, prefix is a range of the sorted value map, regex scans the distinct values of one tag key
 * (never the series). The index is rebuilt from the series dictionary when a shard opens.
 *
 * <p>Not thread-safe: the shard adds under its write lock and resolves under its read lock.
 */
public final class PostingsIndex {
    private final Map<String, RoaringBitmap> byMetric = new HashMap<>();
    private final Map<String, NavigableMap<String, RoaringBitmap>> byTag = new HashMap<>();

    public void add(int seriesId, SeriesKey key) {
        byMetric.computeIfAbsent(key.metric(), m -> new RoaringBitmap()).add(seriesId);
        for (Map.Entry<String, String> t : key.tags().entrySet()) {
            byTag.computeIfAbsent(t.getKey(), k -> new TreeMap<>())
                    .computeIfAbsent(t.getValue(), v -> new RoaringBitmap())
                    .add(seriesId);
        }
    }

    /** Series ids of the metric; empty when the metric is unknown. */
    public RoaringBitmap metric(String metric) {
        RoaringBitmap b = byMetric.get(metric);
        return b == null ? new RoaringBitmap() : b.clone();
    }

    public int metricCardinality(String metric) {
        RoaringBitmap b = byMetric.get(metric);
        return b == null ? 0 : b.getCardinality();
    }

    public Set<String> metrics() {
        return byMetric.keySet();
    }

    /** Tag keys that at least one of the given series carries, sorted. */
    public List<String> tagKeys(RoaringBitmap among) {
        List<String> out = new ArrayList<>();
        byTag.forEach((key, values) -> {
            for (RoaringBitmap b : values.values()) {
                if (RoaringBitmap.intersects(b, among)) {
                    out.add(key);
                    return;
                }
            }
        });
        Collections.sort(out);
        return out;
    }

    /** Distinct values of a tag key among the given series. */
    public List<String> tagValues(String key, RoaringBitmap among) {
        List<String> out = new ArrayList<>();
        NavigableMap<String, RoaringBitmap> values = byTag.get(key);
        if (values != null) {
            values.forEach((v, b) -> {
                if (RoaringBitmap.intersects(b, among)) {
                    out.add(v);
                }
            });
        }
        return out;
    }

    /** Calls {@code consumer} with each value of tag {@code key} and its series within {@code among}. */
    public void forEachValue(String key, RoaringBitmap among, BiConsumer<String, RoaringBitmap> consumer) {
        NavigableMap<String, RoaringBitmap> values = byTag.get(key);
        if (values == null) {
            return;
        }
        for (Map.Entry<String, RoaringBitmap> e : values.entrySet()) {
            if (RoaringBitmap.intersects(e.getValue(), among)) {
                consumer.accept(e.getKey(), RoaringBitmap.and(e.getValue(), among));
            }
        }
    }

    /** Resolves a predicate over the series of one metric. */
    public RoaringBitmap resolve(String metric, TagPredicate predicate) {
        RoaringBitmap universe = metric(metric);
        RoaringBitmap r = eval(predicate, universe);
        r.and(universe);
        return r;
    }

    private RoaringBitmap eval(TagPredicate p, RoaringBitmap universe) {
        if (p instanceof TagPredicate.All) {
            return universe.clone();
        }
        if (p instanceof TagPredicate.Eq e) {
            return copy(values(e.key()).get(e.value()));
        }
        if (p instanceof TagPredicate.In in) {
            RoaringBitmap r = new RoaringBitmap();
            NavigableMap<String, RoaringBitmap> vs = values(in.key());
            for (String v : in.values()) {
                RoaringBitmap b = vs.get(v);
                if (b != null) {
                    r.or(b);
                }
            }
            return r;
        }
        if (p instanceof TagPredicate.Prefix pf) {
            RoaringBitmap r = new RoaringBitmap();
            for (Map.Entry<String, RoaringBitmap> e :
                    values(pf.key()).tailMap(pf.prefix(), true).entrySet()) {
                if (!e.getKey().startsWith(pf.prefix())) {
                    break;
                }
                r.or(e.getValue());
            }
            return r;
        }
        if (p instanceof TagPredicate.Regex rx) {
            RoaringBitmap r = new RoaringBitmap();
            for (Map.Entry<String, RoaringBitmap> e : values(rx.key()).entrySet()) {
                if (rx.pattern().matcher(e.getKey()).matches()) {
                    r.or(e.getValue());
                }
            }
            return r;
        }
        if (p instanceof TagPredicate.Not n) {
            return RoaringBitmap.andNot(universe, eval(n.inner(), universe));
        }
        if (p instanceof TagPredicate.And and) {
            RoaringBitmap r = universe.clone();
            for (TagPredicate part : and.parts()) {
                r.and(eval(part, universe));
            }
            return r;
        }
        if (p instanceof TagPredicate.Or or) {
            RoaringBitmap r = new RoaringBitmap();
            for (TagPredicate part : or.parts()) {
                r.or(eval(part, universe));
            }
            return r;
        }
        throw new IllegalStateException("BUG: unknown predicate " + p);
    }

    private NavigableMap<String, RoaringBitmap> values(String key) {
        NavigableMap<String, RoaringBitmap> m = byTag.get(key);
        return m == null ? new TreeMap<>() : m;
    }

    private static RoaringBitmap copy(RoaringBitmap b) {
        return b == null ? new RoaringBitmap() : b.clone();
    }

    /** Heap bytes of the bitmaps and map entries, estimated. */
    public long estimatedHeapBytes() {
        long total = 0;
        for (RoaringBitmap b : byMetric.values()) {
            total += b.getSizeInBytes() + 64;
        }
        for (NavigableMap<String, RoaringBitmap> m : byTag.values()) {
            for (Map.Entry<String, RoaringBitmap> e : m.entrySet()) {
                total += e.getValue().getSizeInBytes()
                        + 40
                        + 48
                        + 2L * e.getKey().length();
            }
        }
        return total;
    }
}
