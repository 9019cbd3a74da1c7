package io.meridian.common.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesKeyTest {
    @Test
    void canonicalFormSortsTagsAndRoundTrips() {
        SeriesKey k = SeriesKey.of("cpu", "region", "eu", "host", "h1");
        assertThat(new String(k.canonicalBytes(), StandardCharsets.UTF_8)).isEqualTo("cpu\0host\0h1\0region\0eu");
        assertThat(SeriesKey.fromCanonical(k.canonicalBytes())).isEqualTo(k);
        assertThat(SeriesKey.fromCanonical(SeriesKey.of("m").canonicalBytes())).isEqualTo(SeriesKey.of("m"));
    }

    /** Golden values: data placement depends on this hash; a change here moves every series. */
    @Test
    void seriesHashIsStable() {
        assertThat(SeriesHash.hash("cpu\0host\0h1".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(0x0bf5175e96fb0d4eL);
        assertThat(SeriesHash.hash(new byte[0])).isEqualTo(0xefd01f60ba992926L);
        assertThat(SeriesHash.shardOf("cpu\0host\0h1".getBytes(StandardCharsets.UTF_8), 16))
                .isEqualTo(14);
    }

    @Test
    void rejectsBadNamesWithTheirPlace() {
        assertThatThrownBy(() -> SeriesKey.of("1cpu"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("metric=1cpu")
                .hasMessageContaining("must start with a letter");
        assertThatThrownBy(() -> SeriesKey.of("cpu", "ho st", "a"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("tag=ho st")
                .hasMessageContaining("index 2");
        assertThatThrownBy(() -> SeriesKey.of("cpu", "host", ""))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("tag=host");
        assertThatThrownBy(() -> SeriesKey.of("cpu", "host", "x".repeat(Names.MAX_TAG_VALUE_LENGTH + 1)))
                .hasMessageContaining("too long");
    }

    @Test
    void durationsParseAndPrint() {
        assertThat(Durations.format(Durations.parse("i", "10s"))).isEqualTo("10s");
        assertThat(Durations.format(Durations.parse("i", "90m"))).isEqualTo("90m");
        assertThat(Durations.format(Durations.parse("i", "2w"))).isEqualTo("14d");
        assertThatThrownBy(() -> Durations.parse("retention", "10x")).hasMessageContaining("retention=10x");
        assertThatThrownBy(() -> Durations.parse("retention", "0s")).hasMessageContaining("positive");
    }

    @Test
    void databaseOptionsValidateRollups() {
        assertThatThrownBy(() -> new DatabaseOptions(
                        "db", 1, List.of(IntervalSpec.parse("10s", "1d"), IntervalSpec.parse("15s", "2d"))))
                .hasMessageContaining("whole multiple");
        assertThatThrownBy(() -> new DatabaseOptions("db", 0, List.of(IntervalSpec.parse("10s", "1d"))))
                .hasMessageContaining("got 0");
        assertThat(new DatabaseOptions(
                                "db", 2, List.of(IntervalSpec.parse("10s", "1d"), IntervalSpec.parse("5m", "7d")))
                        .base()
                        .intervalMillis())
                .isEqualTo(10_000);
    }

    /** The canonical bytes of tag arrays equal the key's own, for ASCII and for other UTF-8 values. */
    @Test
    void canonicalBytesOfTagArraysEqualTheKeys() {
        for (String value : new String[] {"h1", "", "héllo", "日本", "a b=c"}) {
            String v = value.isEmpty() ? "x" : value;
            SeriesKey key = SeriesKey.of("cpu", "dc", "eu", "host", v);
            assertThat(SeriesKey.canonicalBytes("cpu", new String[] {"dc", "host"}, new String[] {"eu", v}))
                    .as(v)
                    .isEqualTo(key.canonicalBytes());
        }
        assertThat(SeriesKey.canonicalBytes("m", new String[0], new String[0]))
                .isEqualTo(SeriesKey.of("m").canonicalBytes());
    }
}
