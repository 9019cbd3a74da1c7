package io.meridian.common.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The remote-write label-set cache: found by byte content, bounded by two generations. */
class LabelBytesCacheTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void valuesAreFoundByTheContentOfAByteRange() {
        LabelBytesCache<String> cache = new LabelBytesCache<>(8);
        byte[] request = bytes("xx{job=node}yy");
        cache.put(request, 2, 10, "node");
        request[2] = 'Q'; // the cache owns a copy
        assertThat(cache.get(bytes("{job=node}"), 0, 10)).isEqualTo("node");
        assertThat(cache.get(bytes("..{job=node}"), 2, 10)).isEqualTo("node");
        assertThat(cache.get(bytes("{job=nodE}"), 0, 10)).isNull();
        assertThat(cache.get(bytes("{job=node}"), 0, 9)).isNull();
    }

    /**
     * Series that come every scrape stay cached through the churn of one-off series, which rotates generations: what
     * is asked for between two rotations is moved, not lost, while a scrape adds fewer entries than a generation.
     */
    @Test
    void aWorkingSetWithinAGenerationStaysCachedThroughChurn() {
        LabelBytesCache<Integer> cache = new LabelBytesCache<>(200);
        byte[][] hot = new byte[40][];
        for (int i = 0; i < hot.length; i++) {
            hot[i] = bytes("series-" + i);
            cache.put(hot[i], 0, hot[i].length, i);
        }
        for (int scrape = 0; scrape < 20; scrape++) {
            for (int i = 0; i < hot.length; i++) {
                assertThat(cache.get(hot[i], 0, hot[i].length))
                        .as("scrape %d, series %d", scrape, i)
                        .isEqualTo(i);
                if (i % 4 == 0) {
                    byte[] once = bytes("once-" + scrape + "-" + i);
                    cache.put(once, 0, once.length, -1);
                }
            }
            assertThat(cache.size()).isLessThanOrEqualTo(200);
        }
    }

    @Test
    void itHoldsAtMostItsCapacityAndKeepsWhatIsAskedFor() {
        LabelBytesCache<Integer> cache = new LabelBytesCache<>(4);
        byte[] hot = bytes("hot");
        cache.put(hot, 0, 3, -1);
        for (int i = 0; i < 100; i++) {
            byte[] k = bytes("k" + i);
            cache.put(k, 0, k.length, i);
            assertThat(cache.get(hot, 0, 3)).as("asked for after every put").isEqualTo(-1);
            assertThat(cache.size()).isLessThanOrEqualTo(4 + 1);
        }
        assertThat(cache.get(bytes("k0"), 0, 2)).as("long unasked for").isNull();
        assertThat(cache.get(bytes("k99"), 0, 3)).isEqualTo(99);
        LabelBytesCache<Integer> none = new LabelBytesCache<>(0);
        none.put(hot, 0, 3, 1);
        assertThat(none.get(hot, 0, 3)).isNull();
        assertThat(none.size()).isZero();
    }
}
