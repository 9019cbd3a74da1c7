package io.meridian.storage.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.SeriesKey;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a write acknowledges: points (values that are not NaN) and cells, through every copy of a batch. */
class WriteBatchCountsTest {
    @Test
    void aMissingValueIsNeitherAPointNorACell() {
        WriteBatch.SeriesRows cpu = new WriteBatch.SeriesRows(
                SeriesKey.of("cpu", "host", "a"), List.of("user", "system"), new long[] {10_000, 20_000}, new double[] {
                    1.5, Double.NaN, Double.NaN, 4.0
                });
        WriteBatch.SeriesRows mem = new WriteBatch.SeriesRows(
                SeriesKey.of("mem", "host", "a"), List.of("used"), new long[] {10_000}, new double[] {7});
        WriteBatch batch = WriteBatch.of(List.of(cpu, mem));
        assertThat(batch.pointCount()).isEqualTo(3);
        assertThat(batch.cellCount()).isEqualTo(3);
        WriteBatch identified = batch.withWriter("writer-1", 4);
        assertThat(identified.pointCount()).isEqualTo(3);
        assertThat(identified.cellCount()).isEqualTo(3);
        assertThat(WriteBatch.of(List.of()).pointCount()).isZero();
    }
}
