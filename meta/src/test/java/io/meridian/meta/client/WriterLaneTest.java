package io.meridian.meta.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WriterLaneTest {
    @Test
    void sequencesIncreaseOneBatchAtATime() {
        WriterLane lane = new WriterLane("broker-1-7");
        assertThat(lane.lastSequence()).isZero();
        assertThat(lane.begin()).isEqualTo(1);
        assertThatThrownBy(lane::begin)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("broker-1-7")
                .hasMessageContaining("sequence 1");
        assertThat(lane.lastSequence()).as("a refused begin takes no sequence").isEqualTo(1);
        lane.end();
        assertThat(lane.begin()).isEqualTo(2);
        lane.end();
        assertThat(lane).hasToString("broker-1-7#2");
    }

    @Test
    void aLaneNeedsAWriterId() {
        assertThatThrownBy(() -> new WriterLane("")).isInstanceOf(IllegalArgumentException.class);
    }
}
