package io.meridian.common.ingest;

import io.meridian.common.model.ByteKeyTable;
import java.util.Arrays;

/**
 * What a writer prepared for a label set, found by the label set's bytes as they arrive on the wire: the same
 * series comes in every scrape, so its checks, key and shard are worked out once, not once per sample.
 *
 * <p>Bounded by two generations of at most {@code capacity / 2} entries each: a lookup that hits the older
 * generation moves the entry (with the copy of the bytes it owns) to the current one, and when the current one is
 * full it becomes the older one and the entries nobody asked for since are dropped. No per-access bookkeeping, as VictoriaMetrics keeps its own
 * series caches. A label set that is not cached costs what it did without the cache.
 *
 * <p>A generation is a {@link ByteKeyTable} of the label bytes and an array of the values by the same id: a hit
 * reads a slot, the bytes and the value.
 *
 * <p>Thread-safe: lookups take no lock; adding an entry (a new label set, or one moved from the older generation)
 * takes the cache's.
 */
final class LabelBytesCache<V> {
    private final int generationSize;
    private volatile Generation current;
    private volatile Generation previous;

    /** @param capacity the most entries held; 0 caches nothing */
    LabelBytesCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.generationSize = capacity / 2;
        this.current = new Generation();
        this.previous = new Generation();
    }

    /** The value cached for {@code bytes[off, off + len)}, or null. */
    V get(byte[] bytes, int off, int len) {
        if (generationSize == 0) {
            return null;
        }
        V v = current.get(bytes, off, len);
        if (v != null) {
            return v;
        }
        Generation older = previous;
        int id = older.keys.idOf(bytes, off, len);
        if (id < 0) {
            return null;
        }
        v = older.value(id);
        add(older.keys.key(id), v); // asked for again: into the current generation with the copy it owns
        return v;
    }

    /** Caches {@code value} for a copy of {@code bytes[off, off + len)}. */
    void put(byte[] bytes, int off, int len, V value) {
        if (generationSize > 0) {
            add(Arrays.copyOfRange(bytes, off, off + len), value);
        }
    }

    private synchronized void add(byte[] key, V value) {
        Generation g = current;
        if (g.keys.idOf(key) >= 0) {
            return; // another thread added it first
        }
        if (g.keys.size() >= generationSize) {
            previous = g;
            g = new Generation();
            current = g;
        }
        g.add(key, value);
    }

    /** Entries held now (both generations; an entry in both counts twice). */
    int size() {
        return current.keys.size() + previous.keys.size();
    }

    /** One generation: label bytes by id, and the values by the same id. Added to under the cache's lock. */
    private final class Generation {
        final ByteKeyTable keys = new ByteKeyTable();
        // replaced (copied) when it grows, before the key is put: a reader that finds an id reads it after
        private volatile Object[] values = new Object[16];

        @SuppressWarnings("unchecked")
        V value(int id) {
            return (V) values[id];
        }

        V get(byte[] bytes, int off, int len) {
            int id = keys.idOf(bytes, off, len);
            return id < 0 ? null : value(id);
        }

        void add(byte[] key, V value) {
            int id = keys.nextId();
            Object[] v = values;
            if (id == v.length) {
                v = Arrays.copyOf(v, Math.min(v.length * 2, Math.max(generationSize, 16)));
            }
            v[id] = value;
            values = v; // published before the key: a reader that finds the id finds its value
            keys.put(id, key);
        }
    }
}
