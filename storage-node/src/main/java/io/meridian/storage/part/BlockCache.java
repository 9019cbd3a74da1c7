package io.meridian.storage.part;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.meridian.common.error.InvalidInputException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decoded blocks, bounded in bytes, one cache for every shard of a storage node ({@code storage.block-cache.size}
 * is a node-wide share of the heap; part ids are unique in the process, so shards never collide). Small parts
 * (rollup families: few slots per block) are cached whole, as one entry per part whose blocks decode lazily, so a
 * query that touches thousands of their blocks pays one cache lookup per part instead of one per block (measured:
 * lastpoint over 10,000 blocks went from ~9 ms to ~2 ms); such an entry weighs its part's worst-case decoded size
 * from the start, so lazily filled blocks never take the cache past its bound. Large parts are cached block by
 * block. The newest row of each block is kept apart, a few bytes per block, so that lastpoint over parts whose
 * blocks no longer fit decodes each block once, not on every query.
 *
 * <p>Thread-safe. Cache maintenance runs on the calling thread.
 */
public final class BlockCache {
    /** Rough heap bytes of one decoded entry (slot + eight components). */
    static final int BYTES_PER_DECODED_ENTRY = 4 + 8 * 9;
    /** A part whose worst-case decoded size is at most this fraction of the cache is cached whole. */
    static final int WHOLE_PART_FRACTION = 8;
    /** Heap bytes of one decoded entry of a one-point block (slot, value, offset): what a scan estimates with. */
    public static final int BYTES_PER_SINGLE_ENTRY = 3 * 8;
    /** Rough heap bytes of one kept newest row: a one-entry {@link SlotColumns} and its slot in the part's array. */
    static final int BYTES_PER_NEWEST_ROW = 160;

    private final long maxBytes;
    /** The bound of {@link #blocks}: 7/16 of {@link #maxBytes}. */
    private final long blockBytes;
    /** Blocks read by scans that outgrow the cache ({@link #scanOutgrows}) and not cached. */
    private final LongAdder uncachedReads = new LongAdder();

    private final Cache<Long, SlotColumns> blocks;
    private final Cache<Integer, WholePart> parts;
    /** Per part, each block's newest row, once read: the newest-point path (lastpoint) needs nothing else. */
    private final Cache<Integer, AtomicReferenceArray<SlotColumns>> newest;

    /**
     * @param maxBytes heap bytes of decoded blocks: 7/16 each for block entries and for whole parts, 1/8 for the
     *                 blocks' newest rows
     * @throws InvalidInputException when not positive
     */
    public BlockCache(long maxBytes) {
        if (maxBytes <= 0) {
            throw new InvalidInputException(
                    "invalid option [storage.block-cache.size=" + maxBytes + "]: must be positive");
        }
        this.maxBytes = maxBytes;
        this.blockBytes = maxBytes / 16 * 7;
        this.blocks = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumWeight(blockBytes)
                .weigher((Long k, SlotColumns v) -> v.estimatedBytes())
                .recordStats()
                .build();
        this.parts = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumWeight(maxBytes / 16 * 7)
                .weigher((Integer k, WholePart v) -> v.weight)
                .recordStats()
                .build();
        this.newest = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumWeight(maxBytes / 8)
                .weigher((Integer k, AtomicReferenceArray<SlotColumns> v) ->
                        (int) Math.min(Integer.MAX_VALUE, (long) v.length() * BYTES_PER_NEWEST_ROW))
                .recordStats()
                .build();
    }

    /** A part's blocks, decoded on first use; weighs the part's worst-case decoded size. */
    private record WholePart(AtomicReferenceArray<SlotColumns> blocks, int weight) {}

    public long maxBytes() {
        return maxBytes;
    }

    /** Heap bytes the cache holds now (whole parts at their worst-case size). */
    public long weightedBytes() {
        return weight(blocks) + weight(parts) + weight(newest);
    }

    /** Runs pending evictions now (tests: the size is exact only after maintenance). */
    void cleanUp() {
        blocks.cleanUp();
        parts.cleanUp();
        newest.cleanUp();
    }

    private static long weight(Cache<?, ?> c) {
        return c.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    /**
     * Meters on {@code registry}: {@code meridian.storage.block.cache.bytes} (held) and {@code .max.bytes}, the
     * blocks scans read around it ({@code meridian.storage.block.cache.uncached.reads}), and
     * Caffeine's own hit, miss and eviction counters under {@code
     * cache=block-cache-blocks|block-cache-parts|block-cache-newest-rows}.
     */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("meridian.storage.block.cache", this, BlockCache::weightedBytes)
                .description("heap bytes of decoded blocks cached, all shards of the node")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("meridian.storage.block.cache.max", this, BlockCache::maxBytes)
                .description("storage.block-cache.size: the cache's bound")
                .baseUnit("bytes")
                .register(registry);
        FunctionCounter.builder("meridian.storage.block.cache.uncached.reads", uncachedReads, LongAdder::sum)
                .description("blocks decoded by scans larger than the block cache, read around it (not cached)")
                .register(registry);
        CaffeineCacheMetrics.monitor(registry, blocks, "block-cache-blocks");
        CaffeineCacheMetrics.monitor(registry, parts, "block-cache-parts");
        CaffeineCacheMetrics.monitor(registry, newest, "block-cache-newest-rows");
    }

    /** Blocks of one part, for the duration of one query. */
    public interface PartBlocks {
        SlotColumns get(int index);

        /**
         * Block {@code index}, of which the caller reads only the entries of slots {@code [firstSlot, lastSlot]}: a
         * block read around the cache holds only those (cached blocks hold all of theirs).
         */
        default SlotColumns get(int index, int firstSlot, int lastSlot) {
            return get(index);
        }

        /**
         * Block {@code index}'s newest row alone (a one-entry {@link SlotColumns}; empty when the block is), read
         * from the block once and kept: the newest-point path asks only for it.
         */
        SlotColumns newest(int index);
    }

    public PartBlocks open(PartReader p, BlockCodec codec) {
        return open(p, codec, null);
    }

    /**
     * Whether a scan that decodes up to {@code bytes} (at {@link #BYTES_PER_SINGLE_ENTRY} an entry) should read
     * around the cache: when it is larger than what the cache keeps of large parts' blocks, caching its blocks
     * would only evict them (and everyone else's) before the scan could read one again. Such a scan reads the
     * blocks the cache holds and decodes the others into one reused instance (a sequential scan's ring, as
     * databases do for table scans), which also spares it allocating and zeroing every decoded block.
     */
    public boolean scanOutgrows(long bytes) {
        return bytes > blockBytes;
    }

    /**
     * Blocks of a part, for one query. With {@code scratch} not null, a large part's blocks that are not cached are
     * decoded into {@code scratch} and not cached (see {@link #scanOutgrows}); a block returned is then valid until
     * the next {@link PartBlocks#get}. Small parts are cached whole either way.
     */
    public PartBlocks open(PartReader p, BlockCodec codec, SlotColumns scratch) {
        long worst = (long) p.entryCount() * p.slotCount() * BYTES_PER_DECODED_ENTRY;
        if (worst <= maxBytes / WHOLE_PART_FRACTION) {
            AtomicReferenceArray<SlotColumns> arr = parts.get(
                            p.id(),
                            id -> new WholePart(new AtomicReferenceArray<>(p.entryCount()), (int)
                                    Math.min(Integer.MAX_VALUE, worst)))
                    .blocks();
            return new Blocks(p) {
                @Override
                public SlotColumns get(int i) {
                    SlotColumns c = arr.get(i);
                    if (c == null) {
                        c = p.readBlock(i, codec);
                        arr.set(i, c);
                    }
                    return c;
                }
            };
        }
        return new Blocks(p) {
            @Override
            public SlotColumns get(int i) {
                return get(i, 0, p.slotCount() - 1);
            }

            @Override
            public SlotColumns get(int i, int firstSlot, int lastSlot) {
                long key = ((long) p.id() << 32) | i;
                SlotColumns c = blocks.getIfPresent(key);
                if (c == null) {
                    if (scratch != null) {
                        uncachedReads.increment();
                        return p.readBlock(i, codec, scratch, firstSlot, lastSlot);
                    }
                    c = p.readBlock(i, codec);
                    blocks.put(key, c);
                }
                return c;
            }
        };
    }

    /** The newest rows of a part's blocks, kept in {@link #newest} apart from the blocks themselves. */
    private abstract class Blocks implements PartBlocks {
        private final PartReader part;
        private AtomicReferenceArray<SlotColumns> rows;

        Blocks(PartReader part) {
            this.part = part;
        }

        @Override
        public SlotColumns newest(int i) {
            if (rows == null) {
                rows = newest.get(part.id(), id -> new AtomicReferenceArray<>(part.entryCount()));
            }
            SlotColumns row = rows.get(i);
            if (row == null) {
                SlotColumns block = get(i);
                row = new SlotColumns(1, block.isHistogram());
                if (block.size() > 0) {
                    row.appendOrMerge(block, block.size() - 1);
                }
                rows.set(i, row);
            }
            return row;
        }
    }

    /** Drops the whole-part entry and the newest rows of a part that was replaced or dropped (its blocks age out). */
    public void invalidate(PartReader p) {
        parts.invalidate(p.id());
        newest.invalidate(p.id());
    }
}
