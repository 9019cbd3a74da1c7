package io.meridian.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.common.error.DiskFullException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DiskSpaceTest {
    @Test
    void theWatermarkIsTheLargerOfTheShareAndTheFloor() {
        assertThat(new DiskSpace("n", Path.of("d"), 1000L << 20, () -> 0, 0.01, 100L << 20).watermarkBytes())
                .isEqualTo(100L << 20);
        assertThat(new DiskSpace("n", Path.of("d"), 100_000L << 20, () -> 0, 0.01, 100L << 20).watermarkBytes())
                .isEqualTo(1000L << 20);
    }

    @Test
    void writesAreRefusedBelowTheWatermarkAndResumeByThemselves() {
        AtomicLong free = new AtomicLong(50);
        DiskSpace d = new DiskSpace("storage-1", Path.of("/data"), 1000, free::get, 0, 100);
        assertThatThrownBy(d::checkWritable)
                .isInstanceOf(DiskFullException.class)
                .hasMessageContaining("node=storage-1")
                .hasMessageContaining("dir=/data")
                .hasMessageContaining("freeBytes=50")
                .hasMessageContaining("watermarkBytes=100");
        assertThat(d.refusedWrites()).isEqualTo(1);
        free.set(500);
        await().atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThatCode(d::checkWritable).doesNotThrowAnyException());
        assertThat(d.hasHeadroomFor(400)).isTrue();
        assertThat(d.hasHeadroomFor(401)).isFalse();
    }
}
