package io.meridian.common.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeriesPartialsCodecTest {
    static final long T = 1_767_225_600_000L;

    @Test
    void encodesAndDecodesBack() {
        AggState[] cells = {
            AggState.of(T + 1, 2).add(T + 2, 3),
            AggState.empty().observe(T + 3, 4),
            null,
            AggState.empty().observe(T - 1, 0)
        };
        SeriesKey key = SeriesKey.of("http", "host", "a", "dc", "x");
        SeriesPartials s = SeriesPartialsCodec.encode(
                key,
                List.of("requests", "latency"),
                List.of(FieldType.SUM, FieldType.HISTOGRAM),
                10_000,
                new long[] {T, T - 10_000},
                cells);
        assertThat(s.getSlotDeltasList()).containsExactly(T, -10_000L);
        assertThat(s.getCells(2)).isEqualTo(PartialAgg.getDefaultInstance());
        assertThat(PartialRules.checkSeries(0, s, 10_000, null)).isEqualTo(new PartialRules.Totals(4, 3));
        assertThat(SeriesPartialsCodec.key(s)).isEqualTo(key);
        assertThat(SeriesPartialsCodec.types(s)).containsExactly(FieldType.SUM, FieldType.HISTOGRAM);
        assertThat(SeriesPartialsCodec.slotStarts(s)).containsExactly(T, T - 10_000);
        assertThat(SeriesPartialsCodec.cells(s)).containsExactly(cells[0], cells[1], AggState.empty(), cells[3]);
    }

    @Test
    void unsortedTagsGoOutInTheGivenOrder() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("z", "1");
        tags.put("a", "2");
        SeriesPartials s = SeriesPartialsCodec.encode(
                "http", tags, List.of("v"), List.of(FieldType.GAUGE), 1_000, new long[] {0}, new AggState[] {
                    AggState.of(0, 1)
                });
        assertThat(s.getTags(0).getKey()).isEqualTo("z");
        assertThat(SeriesPartialsCodec.key(s)).isEqualTo(SeriesKey.of("http", "a", "2", "z", "1"));
    }

    @Test
    void lengthsMustFit() {
        SeriesKey key = SeriesKey.of("http");
        assertThat(catchThrowableOfType(
                        IllegalArgumentException.class,
                        () -> SeriesPartialsCodec.encode(
                                key,
                                List.of("v"),
                                List.of(FieldType.GAUGE),
                                1_000,
                                new long[] {0, 1_000},
                                new AggState[1])))
                .hasMessage("cell count mismatch [metric=http]: got 1 cells; want slots x fields = 2 x 1");
        assertThat(catchThrowableOfType(
                        IllegalArgumentException.class,
                        () -> SeriesPartialsCodec.encode(
                                key, List.of("v"), List.of(), 1_000, new long[] {0}, new AggState[1])))
                .hasMessage("type count mismatch [metric=http]: got 0 types; want one per field = 1");
    }
}
