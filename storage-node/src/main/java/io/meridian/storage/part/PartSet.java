package io.meridian.storage.part;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * An immutable snapshot of a shard's live parts, by segment start and interval. Published through a
 * volatile field so queries read it without locks; every change builds a new snapshot.
 */
public final class PartSet {
    static final PartSet EMPTY = new PartSet(new TreeMap<>());

    private final NavigableMap<Long, Map<Long, List<PartReader>>> bySegment;

    private PartSet(NavigableMap<Long, Map<Long, List<PartReader>>> bySegment) {
        this.bySegment = bySegment;
    }

    /** Parts of one family whose segment overlaps [startMs, endMs). */
    public List<PartReader> parts(long intervalMs, long startMs, long endMs, long segmentMs) {
        List<PartReader> out = new ArrayList<>();
        long from = Math.floorDiv(startMs, segmentMs) * segmentMs;
        for (Map<Long, List<PartReader>> fam :
                bySegment.subMap(from, true, endMs, false).values()) {
            List<PartReader> l = fam.get(intervalMs);
            if (l != null) {
                out.addAll(l);
            }
        }
        return out;
    }

    public NavigableMap<Long, Map<Long, List<PartReader>>> segments() {
        return bySegment;
    }

    public List<PartReader> all() {
        List<PartReader> out = new ArrayList<>();
        bySegment.values().forEach(f -> f.values().forEach(out::addAll));
        return out;
    }

    PartSet with(Collection<PartReader> added, Set<PartReader> removed) {
        NavigableMap<Long, Map<Long, List<PartReader>>> m = new TreeMap<>();
        for (PartReader p : all()) {
            if (!removed.contains(p)) {
                put(m, p);
            }
        }
        added.forEach(p -> put(m, p));
        return new PartSet(m);
    }

    private static void put(NavigableMap<Long, Map<Long, List<PartReader>>> m, PartReader p) {
        m.computeIfAbsent(p.segmentStartMs(), k -> new HashMap<>())
                .computeIfAbsent(p.intervalMs(), k -> new ArrayList<>())
                .add(p);
    }
}
