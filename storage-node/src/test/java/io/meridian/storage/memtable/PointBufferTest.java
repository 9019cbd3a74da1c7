package io.meridian.storage.memtable;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PointBufferTest {
    @Test
    void pointsReadBackExactlyInArrivalOrderAcrossGrowth() {
        PointBuffer b = new PointBuffer();
        double[] odd = {-0.0, 0.0, Double.MIN_VALUE, -Double.MAX_VALUE, 1e300, 0.1 + 0.2, 42.5};
        for (int i = 0; i < 1_000; i++) {
            b.append(1_000L * i, odd[i % odd.length]);
        }
        b.reserve(5_000);
        assertThat(b.size()).isEqualTo(1_000);
        for (int i = 0; i < 1_000; i++) {
            assertThat(b.timestamp(i)).isEqualTo(1_000L * i);
            assertThat(Double.doubleToRawLongBits(b.value(i)))
                    .as("point %d keeps its value's bits", i)
                    .isEqualTo(Double.doubleToRawLongBits(odd[i % odd.length]));
        }
        assertThat(b.isSorted()).isTrue();
        assertThat(b.lowerBound(0)).isZero();
        assertThat(b.lowerBound(2_500)).isEqualTo(3);
        assertThat(b.lowerBound(999_000)).isEqualTo(999);
        assertThat(b.lowerBound(999_001)).isEqualTo(1_000);
    }

    @Test
    void theNewestPointIsKnownWhateverTheArrivalOrder() {
        PointBuffer b = new PointBuffer();
        b.append(20, 2);
        b.append(30, 3);
        b.append(10, 1);
        b.append(30, 4);
        assertThat(b.isSorted()).isFalse();
        assertThat(b.maxTimestamp()).isEqualTo(30);
        assertThat(b.valueAtMax()).as("ties: the largest, as LAST merges them").isEqualTo(4);
    }

    /**
     * Runs of sorted points in shuffled order, with ties across runs (as concurrent write requests leave a buffer):
     * the copy is the stable sort of the arrival order, and the buffer itself is left as it arrived.
     */
    @Test
    void sortedCopyIsTheStableSortOfRunsThatArrivedOutOfOrder() {
        Random random = new Random(17);
        for (int round = 0; round < 300; round++) {
            PointBuffer b = new PointBuffer();
            int runs = 1 + random.nextInt(40);
            int n = 0;
            long[] arrivalTs = new long[4_000];
            double[] arrivalVs = new double[4_000];
            for (int r = 0; r < runs; r++) {
                long t = random.nextInt(200) * 10L;
                int len = random.nextInt(random.nextBoolean() ? 3 : 60);
                for (int i = 0; i < len; i++) {
                    t += random.nextInt(3) * 10L; // steps of 0 make ties within and across runs
                    arrivalTs[n] = t;
                    arrivalVs[n] = n; // the value tells the arrival position
                    b.append(t, n++);
                }
            }
            long[] ts = new long[n];
            double[] vs = new double[n];
            b.sortedCopy(ts, vs);
            long[] finalTs = arrivalTs;
            Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.comparingLong(i -> finalTs[i])); // stable
            for (int i = 0; i < n; i++) {
                assertThat(ts[i]).as("round %d, point %d", round, i).isEqualTo(arrivalTs[order[i]]);
                assertThat(vs[i]).as("round %d, point %d", round, i).isEqualTo(arrivalVs[order[i]]);
            }
            for (int i = 0; i < n; i++) {
                assertThat(b.timestamp(i))
                        .as("the buffer keeps its arrival order")
                        .isEqualTo(arrivalTs[i]);
            }
        }
    }
}
