package io.meridian.common.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import org.junit.jupiter.api.Test;

class HistogramTest {
    @Test
    void quantilesAreWithinBucketError() {
        Histogram h = new Histogram();
        for (int i = 1; i <= 1000; i++) {
            h.record(i, 1);
        }
        assertThat(h.total()).isEqualTo(1000);
        assertThat(h.quantile(0.5, 1, 1000)).isBetween(500 / 1.2, 500 * 1.2);
        assertThat(h.quantile(0.99, 1, 1000)).isBetween(990 / 1.2, 1000.0);
        assertThat(h.quantile(0, 1, 1000)).isBetween(1.0, 1.2);
    }

    @Test
    void rejectsNegativeAndNonFiniteObservations() {
        Histogram h = new Histogram();
        assertThatThrownBy(() -> h.record(-1, 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("value=-1");
        assertThatThrownBy(() -> h.record(Double.NaN, 1)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> h.quantile(1.5, 0, 1)).isInstanceOf(InvalidInputException.class);
        assertThat(h.size()).isZero();
    }

    @Test
    void zeroHasItsOwnBucket() {
        assertThat(Histogram.bucketOf(0)).isZero();
        assertThat(Histogram.bucketOf(1)).isEqualTo(Histogram.OFFSET + 1);
        assertThat(Histogram.upperBound(Histogram.bucketOf(3))).isGreaterThan(3);
    }
}
