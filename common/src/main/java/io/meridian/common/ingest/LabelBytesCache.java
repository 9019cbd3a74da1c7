package io.meridian.common.ingest;

import io.meridian.common.model.ByteRangeHash;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a writer prepared for a label set, found by the label set's bytes as they arrive on the wire: the same
 * series comes in every scrape, so its checks, key and shard are worked out once, not once per sample.
 *
 * <p>Bounded by two generations of at most {@code capacity / 2} entries each: a lookup that hits the older
 * generation moves the entry (with the copy of the bytes it owns) to the current one, and when the current one is
 * full it becomes the older one and the entries nobody asked for since are dropped. No per-access bookkeeping, as VictoriaMetrics keeps its own
 * series caches. A label set that is not cached costs what it did without the cache.
 *
 * <p>Thread-safe.
 */
final class LabelBytesCache<V> {
    private final int generationSize;
    private volatile Generation<V> current = new Generation<>();
    private volatile Generation<V> previous = new Generation<>();

    /** @param capacity the most entries held; 0 caches nothing */
    LabelBytesCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.generationSize = capacity / 2;
    }

    /** The value cached for {@code bytes[off, off + len)}, or null. */
    V get(byte[] bytes, int off, int len) {
        if (generationSize == 0) {
            return null;
        }
        Key probe = new Key(bytes, off, len);
        Entry<V> e = current.map.get(probe);
        if (e == null) {
            e = previous.map.get(probe);
            if (e == null) {
                return null;
            }
            add(e); // asked for again: into the current generation, the key it owns moves with it (no copy)
        }
        return e.value;
    }

    /** Caches {@code value} for a copy of {@code bytes[off, off + len)}. */
    void put(byte[] bytes, int off, int len, V value) {
        if (generationSize > 0) {
            add(new Entry<>(new Key(bytes, off, len).copy(), value));
        }
    }

    private void add(Entry<V> e) {
        Generation<V> g = current;
        if (g.size.get() >= generationSize) {
            synchronized (this) {
                if (current == g) {
                    previous = g;
                    current = new Generation<>();
                }
                g = current;
            }
        }
        if (g.map.putIfAbsent(e.key, e) == null) {
            g.size.incrementAndGet();
        }
    }

    /** Entries held now (both generations; an entry in both counts twice). */
    int size() {
        return current.map.size() + previous.map.size();
    }

    /**
     * One generation: its entries and their number, counted as they are added ({@code ConcurrentHashMap.size()} sums
     * striped counters, which cost more than the lookup when asked on every add).
     */
    private static final class Generation<V> {
        final ConcurrentHashMap<Key, Entry<V>> map = new ConcurrentHashMap<>();
        final AtomicInteger size = new AtomicInteger();
    }

    /** A cached value and the key that owns its bytes. */
    private record Entry<V>(Key key, V value) {}

    /** A byte range with content equality; the cached ones own an exact copy. */
    static final class Key {
        private final byte[] bytes;
        private final int off;
        private final int len;
        private final int hash;

        Key(byte[] bytes, int off, int len) {
            this.bytes = bytes;
            this.off = off;
            this.len = len;
            this.hash = ByteRangeHash.of(bytes, off, len);
        }

        private Key(byte[] bytes, int hash) {
            this.bytes = bytes;
            this.off = 0;
            this.len = bytes.length;
            this.hash = hash;
        }

        Key copy() {
            return new Key(Arrays.copyOfRange(bytes, off, off + len), hash);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k
                    && k.hash == hash
                    && Arrays.equals(bytes, off, off + len, k.bytes, k.off, k.off + k.len);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
