package io.meridian.storage.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Rollup sums are snapped back onto their inputs' decimal grid only when the difference is accumulation noise. */
class SnapToScaleTest {
    @Test
    void floatingPointAccumulationNoiseIsSnapped() {
        double sum = 0;
        for (int i = 0; i < 30; i++) {
            sum += 45.67;
        }
        assertThat(sum).isNotEqualTo(1370.1);
        double[] column = {sum, 0.1 + 0.2};
        assertThat(FloatColumnCodec.snapToScale(column, 2, 2)).isTrue();
        assertThat(column).containsExactly(1370.1, 0.3);
        assertThat(FloatColumnCodec.decimalScaleOf(column, 2)).isEqualTo(1);
    }

    @Test
    void valuesOffTheGridAreLeftAlone() {
        double[] column = {1370.1, 1.0 / 3};
        assertThat(FloatColumnCodec.snapToScale(column, 2, 2)).isFalse();
        assertThat(column).containsExactly(1370.1, 1.0 / 3);
        double[] almost = {12.345};
        assertThat(FloatColumnCodec.snapToScale(almost, 1, 2))
                .as("a real third decimal is data, not noise")
                .isFalse();
        assertThat(almost).containsExactly(12.345);
    }
}
