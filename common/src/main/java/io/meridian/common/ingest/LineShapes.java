package io.meridian.common.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.ByteString;
import io.meridian.common.model.SeriesKey;
import java.util.List;

/**
 * What the line shapes that earlier bodies carried stand for: a shape is a line's measurement, tags as written and
 * field names ({@link LineBatcher}'s {@code ShapeKey}); what it stands for is its series key, its field list and the
 * key of its rows within a body, with {@link BatchRules}' key rules passed. A shape is built once (a sorted tag map,
 * strings, the canonical key and the rules: about three lines' worth of a body's parse), then found by its bytes
 * for as long as it stays in the cache: the TSBS load sends each of its 1,000 series in every body, and building
 * them again per body was a quarter of the broker's line-protocol work.
 *
 * <p>One per broker, shared by the batchers of every request thread; bounded to {@code capacity} shapes (about 1.5
 * KiB each with ten tags), which keep their place by how often they are used (Caffeine's W-TinyLFU), so a burst
 * of one-off series does not evict the steady ones. Thread-safe.
 */
public final class LineShapes {
    /** Shapes kept by default: a broker's steady series, at most about 24 MiB of heap. */
    public static final int DEFAULT_CAPACITY = 16_384;
    /** Heap a kept shape takes, about, with ten tags (its bytes, the series key's map and strings, the row key). */
    public static final int BYTES_PER_SHAPE = 1_536;

    /**
     * A shape's meaning; immutable, shared by every body that carries the shape. {@code wireKey} is the series' canonical
     * key as the bytes that name it in a batch ({@code SeriesRows.key}, storage.proto revision 10), and {@code hash}
     * their {@link io.meridian.common.model.SeriesHash#hash}, which places the series in a shard.
     */
    record Shape(
            LineBatcher.ShapeKey key,
            SeriesKey series,
            List<String> fields,
            ByteString wireKey,
            long hash,
            String rowsKey) {}

    private final Cache<LineBatcher.ShapeKey, Shape> shapes;

    public LineShapes() {
        this(DEFAULT_CAPACITY);
    }

    /** @param capacity the most shapes kept */
    public LineShapes(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        shapes = Caffeine.newBuilder().maximumSize(capacity).build();
    }

    /** The shape with {@code key}'s bytes, or null when it is not kept. */
    Shape get(LineBatcher.ShapeKey key) {
        return shapes.getIfPresent(key);
    }

    /** Keeps {@code shape} (whose key rules passed) for the bodies that follow. */
    void add(Shape shape) {
        shapes.put(shape.key(), shape);
    }

    /** Shapes kept now (for tests and metrics; approximate while others add). */
    public long size() {
        shapes.cleanUp();
        return shapes.estimatedSize();
    }
}
