package io.meridian.broker.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The warm-up's statements plan and run over its own catalog: a statement that stopped planning would fail here. */
class SqlWarmUpTest {
    @Test
    void everyWarmUpStatementPlansAndRuns() {
        assertThat(SqlWarmUp.run()).isEmpty();
    }
}
