package io.meridian.storage.memtable;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A steady load fills every series' buffer in step, so the buffers of a memtable grow all at once: the memtable's
 * bytes (what the node's bound counts) must not jump by more than one capped chunk per buffer within one round of
 * writes, and must stay within the points' own bytes plus one capped chunk per buffer (and the rows' few bytes of
 * bookkeeping).
 */
class MemTableGrowthTest {
    private static final int SERIES = 1_000;
    private static final long CHUNK_BYTES = (long) PointBuffer.MAX_CHUNK * PointBuffer.BYTES_PER_POINT;

    @Test
    void buffersGrowingInStepRaiseTheBytesByAtMostOneCappedChunkEach() {
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
                    .isLessThanOrEqualTo(before + SERIES * (CHUNK_BYTES + 64L))
                    .isLessThanOrEqualTo(points * (PointBuffer.BYTES_PER_POINT + 2) + SERIES * (CHUNK_BYTES + 1_024L));
            before = after;
        }
        assertThat(m.points()).isEqualTo(5_000L * SERIES);
    }

    @Test
    void reservingRoomForABatchAllocatesLessThanOneCappedChunkMoreThanAsked() {
        PointBuffer b = new PointBuffer();
        b.append(1, 1);
        long grown = b.reserve(10_000);
        assertThat(b.capacityBytes())
                .isGreaterThanOrEqualTo(10_001L * PointBuffer.BYTES_PER_POINT)
                .isLessThan(10_001L * PointBuffer.BYTES_PER_POINT + CHUNK_BYTES);
        assertThat(grown).isEqualTo(b.capacityBytes() - (long) PointBuffer.FIRST_CHUNK * PointBuffer.BYTES_PER_POINT);
        assertThat(b.reserve(10_000)).as("room already there").isZero();
        for (int i = 0; i < 10_000; i++) {
            assertThat(b.append(2 + i, i))
                    .as("point %d fits the reserved room", i)
                    .isZero();
        }
        assertThat(b.timestamp(0)).isEqualTo(1);
        assertThat(b.timestamp(10_000)).isEqualTo(10_001);
    }

    /** The chunks tile the indexes: each point is in exactly one chunk, and chunks follow each other. */
    @Test
    void chunksTileThePointIndexes() {
        for (int i = 0; i < 200_000; i++) {
            int k = PointBuffer.chunkOf(i);
            assertThat(i)
                    .as("point %d in chunk %d", i, k)
                    .isGreaterThanOrEqualTo(PointBuffer.chunkStart(k))
                    .isLessThan(PointBuffer.chunkStart(k) + PointBuffer.chunkSize(k));
        }
        assertThat(PointBuffer.chunkStart(0)).isZero();
        for (int k = 0; k < 1_000; k++) {
            assertThat(PointBuffer.chunkStart(k + 1)).isEqualTo(PointBuffer.chunkStart(k) + PointBuffer.chunkSize(k));
            assertThat(PointBuffer.chunkSize(k)).isBetween(PointBuffer.FIRST_CHUNK, PointBuffer.MAX_CHUNK);
        }
    }
}
