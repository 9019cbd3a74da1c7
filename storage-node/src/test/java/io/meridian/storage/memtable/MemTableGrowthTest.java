package io.meridian.storage.memtable;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A steady load fills every series' buffer in step, so the buffers of a memtable grow all at once: the memtable's
 * bytes (what the node's bound counts) must not jump by more than half of what it holds within one round of writes,
 * and must stay within one and a half times the points' own bytes (and the rows' few bytes of bookkeeping).
 */
class MemTableGrowthTest {
    private static final int SERIES = 1_000;

    @Test
    void buffersGrowingInStepRaiseTheBytesByAtMostHalf() {
        MemTable m = new MemTable();
        long before = m.bytes();
        for (int round = 0; round < 5_000; round++) {
            for (int s = 0; s < SERIES; s++) {
                m.appendRows(s, new int[] {0}, new long[] {round * 10_000L}, new double[] {round});
            }
            long after = m.bytes();
            long points = (round + 1L) * SERIES;
            assertThat(after)
                    .as("round %d", round)
                    .isLessThanOrEqualTo(before + before / 2 + SERIES * 1_024L)
                    .isLessThanOrEqualTo(points * (PointBuffer.BYTES_PER_POINT * 3 / 2 + 2) + SERIES * 1_024L);
            before = after;
        }
        assertThat(m.points()).isEqualTo(5_000L * SERIES);
    }

    @Test
    void reservingRoomForABatchTakesOneCopyOfExactlyWhatIsAsked() {
        PointBuffer b = new PointBuffer();
        int grown = b.reserve(10_000);
        assertThat(grown).isEqualTo((10_000 - PointBuffer.INITIAL_CAPACITY) * PointBuffer.BYTES_PER_POINT);
        assertThat(b.capacityBytes()).isEqualTo(10_000L * PointBuffer.BYTES_PER_POINT);
        assertThat(PointBuffer.grownCapacity(10_000)).isEqualTo(15_008);
    }
}
