package io.meridian.common.ingest;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a writer prepared for a label set, found by the label set's bytes as they arrive on the wire: the same
 * series comes in every scrape, so its checks, key and shard are worked out once, not once per sample.
 *
 * <p>Bounded by two generations of at most {@code capacity / 2} entries each: a lookup that hits the older
 * generation moves the entry to the current one, and when the current one is full it becomes the older one and
 * the entries nobody asked for since are dropped. No per-access bookkeeping, as VictoriaMetrics keeps its own
 * series caches. A label set that is not cached costs what it did without the cache.
 *
 * <p>Thread-safe.
 */
final class LabelBytesCache<V> {
    private final int generationSize;
    private volatile ConcurrentHashMap<Key, V> current = new ConcurrentHashMap<>();
    private volatile ConcurrentHashMap<Key, V> previous = new ConcurrentHashMap<>();

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
        V v = current.get(probe);
        if (v != null) {
            return v;
        }
        v = previous.get(probe);
        if (v != null) {
            put(probe.copy(), v);
        }
        return v;
    }

    /** Caches {@code value} for a copy of {@code bytes[off, off + len)}. */
    void put(byte[] bytes, int off, int len, V value) {
        if (generationSize > 0) {
            put(new Key(bytes, off, len).copy(), value);
        }
    }

    private void put(Key key, V value) {
        ConcurrentHashMap<Key, V> c = current;
        if (c.size() >= generationSize) {
            synchronized (this) {
                if (current == c) {
                    previous = c;
                    current = new ConcurrentHashMap<>();
                }
                c = current;
            }
        }
        c.put(key, value);
    }

    /** Entries held now (both generations; an entry in both counts twice). */
    int size() {
        return current.size() + previous.size();
    }

    /** A byte range with content equality; the cached ones own an exact copy. */
    private static final class Key {
        private final byte[] bytes;
        private final int off;
        private final int len;
        private final int hash;

        Key(byte[] bytes, int off, int len) {
            this.bytes = bytes;
            this.off = off;
            this.len = len;
            int h = 1;
            for (int i = off; i < off + len; i++) {
                h = 31 * h + bytes[i];
            }
            this.hash = h;
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
