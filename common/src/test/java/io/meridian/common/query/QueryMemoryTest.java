package io.meridian.common.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import org.junit.jupiter.api.Test;

/** The per-query cell bound: derived from the heap, refused with LIMIT_EXCEEDED naming what to change. */
class QueryMemoryTest {
    @Test
    void theBoundFollowsTheHeapAndRefusesWithLimitExceeded() {
        assertThat(QueryMemory.maxCells())
                .isGreaterThanOrEqualTo(
                        Math.max(1_000_000, Runtime.getRuntime().maxMemory() / QueryMemory.HEAP_BYTES_PER_CELL));
        assertThatCode(() -> QueryMemory.check(1000, 12, 1, "metric=cpu")).doesNotThrowAnyException();
        assertThatCode(() -> QueryMemory.check(0, 0, 10, "metric=cpu")).doesNotThrowAnyException();
        assertThatThrownBy(() -> QueryMemory.check(QueryMemory.maxCells(), 2, 1, "metric=cpu"))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED))
                .hasMessageContaining("query needs too much working memory [metric=cpu, groups=")
                .hasMessageContaining("bound the time range");
        assertThatThrownBy(() -> QueryMemory.check(Long.MAX_VALUE / 2, 4, 3, "overflow"))
                .as("an overflowing product is over the bound, not negative")
                .isInstanceOf(InvalidInputException.class);
    }
}
