package io.meridian.bench.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.bench.tsbs.CpuOnlyGenerator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineProtocolBodiesTest {
    private static final long START_MS = 1_795_478_400_000L;

    @Test
    void cutsTheDataSetIntoWholeLinesOfAtMostTheBodySize() {
        LineProtocolBodies.Bodies b = LineProtocolBodies.build(
                new CpuOnlyGenerator(3, 1, CpuOnlyGenerator.ValueMode.FLOAT), START_MS, 1, 100);
        long rows = 3_600_000L / CpuOnlyGenerator.ROW_INTERVAL_MS;
        assertThat(b.lines()).isEqualTo(3 * rows);
        assertThat(b.points()).isEqualTo(3 * rows * 10);
        assertThat(b.bodies()).hasSize((int) ((3 * rows + 99) / 100));
        long lines = 0;
        long bytes = 0;
        for (byte[] body : b.bodies()) {
            String text = new String(body, StandardCharsets.UTF_8);
            assertThat(text).endsWith("\n");
            String[] split = text.split("\n");
            assertThat(split.length).isBetween(1, 100);
            for (String line : split) {
                String[] parts = line.split(" ");
                assertThat(parts).hasSize(3);
                assertThat(parts[0]).startsWith("cpu,").contains(",hostname=host_");
                assertThat(parts[1].split(",")).hasSize(10);
                assertThat(Long.parseLong(parts[2])).isBetween(START_MS, START_MS + 3_600_000L - 1);
            }
            lines += split.length;
            bytes += body.length;
        }
        assertThat(lines).isEqualTo(b.lines());
        assertThat(bytes).isEqualTo(b.bytes());
        String[] first = new String(b.bodies().get(0), StandardCharsets.UTF_8).split("\n");
        assertThat(first[0]).contains(",hostname=host_0,").endsWith(" " + START_MS);
        assertThat(first[1]).contains(",hostname=host_1,").endsWith(" " + START_MS);
        assertThat(first[3])
                .contains(",hostname=host_0,")
                .endsWith(" " + (START_MS + CpuOnlyGenerator.ROW_INTERVAL_MS));
    }
}
