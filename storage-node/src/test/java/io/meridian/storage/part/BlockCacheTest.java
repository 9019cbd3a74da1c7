package io.meridian.storage.part;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockCacheTest {
    private static final int SLOTS = 8640; // a day at 10 s
    private static final long WORST_PER_ENTRY = (long) SLOTS * BlockCache.BYTES_PER_DECODED_ENTRY;

    @TempDir
    Path dir;

    private final BlockCodec codec = new BlockCodec(3);
    private final List<PartReader> open = new ArrayList<>();

    @AfterEach
    void retire() {
        open.forEach(PartReader::retire);
    }

    /** A part of {@code series} entries of {@code points} points each. */
    private PartReader part(String name, int series, int points) {
        Path p = dir.resolve(name);
        try (PartWriter w = new PartWriter(p, 10_000, 1_767_225_600_000L, SLOTS, codec)) {
            for (int s = 0; s < series; s++) {
                SlotColumns c = new SlotColumns(points, false);
                for (int i = 0; i < points; i++) {
                    c.addPoint(i * 3, 0, s + i);
                }
                w.add(s, 0, FieldType.GAUGE, c);
            }
            w.finish();
        }
        PartReader r = PartReader.open(p);
        open.add(r);
        return r;
    }

    private static void readAll(BlockCache cache, PartReader p, BlockCodec codec) {
        BlockCache.PartBlocks blocks = cache.open(p, codec);
        for (int i = 0; i < p.entryCount(); i++) {
            assertThat(blocks.get(i).size()).isPositive();
        }
    }

    @Test
    void aWholePartWeighsItsWorstCaseFromTheFirstLookupSoLazyBlocksNeverPassTheBound() {
        BlockCache cache = new BlockCache(16 * WORST_PER_ENTRY * 2);
        PartReader p = part("a.part", 2, 100);
        BlockCache.PartBlocks blocks = cache.open(p, codec);
        cache.cleanUp();
        assertThat(cache.weightedBytes()).isEqualTo(2 * WORST_PER_ENTRY);
        blocks.get(0);
        blocks.get(1);
        cache.cleanUp();
        assertThat(cache.weightedBytes())
                .as("decoding the blocks does not grow the entry past its declared weight")
                .isEqualTo(2 * WORST_PER_ENTRY);
    }

    @Test
    void partsOfManyStoresShareOneBound() {
        long max = 8 * WORST_PER_ENTRY * 4; // whole parts: half the cache, each part an eighth of it
        BlockCache cache = new BlockCache(max);
        for (int i = 0; i < 40; i++) {
            readAll(cache, part(i + ".part", 1, 500), codec);
            cache.cleanUp();
            assertThat(cache.weightedBytes()).as("after part %d", i).isLessThanOrEqualTo(max);
        }
        // large parts are cached block by block under the same bound
        BlockCache small = new BlockCache(4 * WORST_PER_ENTRY);
        for (int i = 0; i < 10; i++) {
            readAll(small, part("big" + i + ".part", 8, 2000), codec);
            small.cleanUp();
            assertThat(small.weightedBytes()).as("after big part %d", i).isLessThanOrEqualTo(small.maxBytes());
        }
    }

    @Test
    void aScanThatOutgrowsTheCacheReadsAroundItIntoOneInstanceAndCachesNothing() {
        BlockCache cache = new BlockCache(4 * WORST_PER_ENTRY);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        cache.bindTo(registry);
        PartReader p = part("big.part", 8, 2000);
        assertThat(cache.scanOutgrows(8L * 2000 * BlockCache.BYTES_PER_SINGLE_ENTRY))
                .isFalse();
        assertThat(cache.scanOutgrows(4 * WORST_PER_ENTRY)).isTrue();
        SlotColumns scratch = SlotColumns.scratch();
        BlockCache.PartBlocks blocks = cache.open(p, codec, scratch);
        for (int i = 0; i < p.entryCount(); i++) {
            SlotColumns got = blocks.get(i);
            SlotColumns want = p.readBlock(i, codec);
            assertThat(got).as("block %d", i).isSameAs(scratch);
            assertThat(got.size()).isEqualTo(want.size()).isEqualTo(2000);
            for (int e = 0; e < want.size(); e += 97) {
                assertThat(got.slot(e)).isEqualTo(want.slot(e));
                assertThat(got.last(e)).isEqualTo(want.last(e));
            }
        }
        cache.cleanUp();
        assertThat(cache.weightedBytes()).as("nothing cached").isZero();
        assertThat(registry.get("meridian.storage.block.cache.uncached.reads")
                        .functionCounter()
                        .count())
                .isEqualTo(8);
        // a block the cache does hold is served from it, not decoded again
        cache.open(p, codec).get(3);
        assertThat(cache.open(p, codec, scratch).get(3)).isNotSameAs(scratch);
    }

    @Test
    void invalidatingAPartFreesItsWholePartEntry() {
        BlockCache cache = new BlockCache(16 * WORST_PER_ENTRY * 2);
        PartReader p = part("a.part", 1, 100);
        readAll(cache, p, codec);
        cache.invalidate(p);
        cache.cleanUp();
        assertThat(cache.weightedBytes()).isZero();
    }

    @Test
    void aSizeThatIsNotPositiveIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> new BlockCache(0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("storage.block-cache.size=0");
    }

    @Test
    void metersShowTheHeldBytesTheBoundAndHits() {
        BlockCache cache = new BlockCache(16 * WORST_PER_ENTRY * 2);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        cache.bindTo(registry);
        PartReader p = part("a.part", 1, 100);
        readAll(cache, p, codec);
        readAll(cache, p, codec);
        cache.cleanUp();
        assertThat(registry.get("meridian.storage.block.cache").gauge().value()).isEqualTo(WORST_PER_ENTRY);
        assertThat(registry.get("meridian.storage.block.cache.max").gauge().value())
                .isEqualTo(16 * WORST_PER_ENTRY * 2);
        assertThat(registry.get("cache.gets")
                        .tag("cache", "block-cache-parts")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aBlocksNewestRowIsItsLastEntryAndIsKeptApartFromTheBlock() {
        // too small to keep any block: only the newest rows stay
        BlockCache cache = new BlockCache(WORST_PER_ENTRY);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        cache.bindTo(registry);
        PartReader p = part("a.part", 3, 400);
        for (int round = 0; round < 2; round++) {
            BlockCache.PartBlocks blocks = cache.open(p, codec);
            for (int i = 0; i < 3; i++) {
                SlotColumns row = blocks.newest(i);
                SlotColumns block = p.readBlock(i, codec);
                assertThat(row.size()).isEqualTo(1);
                assertThat(row.slot(0)).isEqualTo(block.slot(block.size() - 1)).isEqualTo(399 * 3);
                assertThat(row.last(0)).isEqualTo(block.last(block.size() - 1)).isEqualTo(i + 399);
            }
        }
        assertThat(registry.get("cache.gets")
                        .tag("cache", "block-cache-newest-rows")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .as("the second round found the part's rows kept")
                .isEqualTo(1);
    }
}
