package io.meridian.common.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Start-up check of the declared heap shares: fits, or an error naming every share. */
class MemoryBudgetTest {
    private static final long GIB = 1L << 30;

    @Test
    void sharesWithinThreeQuartersOfTheHeapFitAndMoreIsAnErrorNamingEachShare() {
        List<MemoryBudget.Share> fits = List.of(
                new MemoryBudget.Share("a.key", "memtables", GIB / 4),
                new MemoryBudget.Share("b.key", "bodies", GIB / 8));
        assertThatCode(() -> MemoryBudget.check("standalone", GIB, fits, "X=-Xmx2g"))
                .doesNotThrowAnyException();
        List<MemoryBudget.Share> tooMuch = List.of(
                new MemoryBudget.Share("a.key", "memtables", GIB / 2),
                new MemoryBudget.Share("b.key", "bodies", GIB / 2));
        assertThatThrownBy(() -> MemoryBudget.check("standalone", GIB, tooMuch, "X=-Xmx2g"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("memory shares do not fit the heap [role=standalone, heap=1GiB, usable=75% = 768MiB,"
                        + " shares=1GiB]: a.key=512MiB (memtables), b.key=512MiB (bodies); lower them, or give the"
                        + " process more heap (X=-Xmx2g)");
    }
}
