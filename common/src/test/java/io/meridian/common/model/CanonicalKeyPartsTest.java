package io.meridian.common.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The parts of canonical key bytes, the layout {@code SeriesRows.key} carries (storage.proto revision 10). */
class CanonicalKeyPartsTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theBytesOfAKeyAreItsMetricThenItsTagsInKeyOrder() {
        SeriesKey key = SeriesKey.of("node_cpu_seconds_total", "mode", "idle", "cpu", "0", "city", "Zürich");
        byte[] canonical = key.canonicalBytes();
        assertThat(canonical)
                .as("golden layout: NUL between parts, tags sorted by key, UTF-8, no trailing NUL")
                .isEqualTo(bytes("node_cpu_seconds_total\0city\0Zürich\0cpu\0000\0mode\0idle"));
        CanonicalKeyParts parts = CanonicalKeyParts.of(canonical);
        assertThat(parts.metric()).isEqualTo("node_cpu_seconds_total");
        assertThat(parts.keys()).containsExactly("city", "cpu", "mode");
        assertThat(parts.values()).containsExactly("Zürich", "0", "idle");
        assertThat(SeriesKey.ofSorted(parts.metric(), parts.keys(), parts.values()))
                .isEqualTo(key);
        assertThat(CanonicalKeyParts.tagCount(canonical)).isEqualTo(3);
        assertThat(CanonicalKeyParts.metricLength(canonical)).isEqualTo("node_cpu_seconds_total".length());
        assertThat(CanonicalKeyParts.hasTagKey(canonical, "cpu")).isTrue();
        assertThat(CanonicalKeyParts.hasTagKey(canonical, "idle"))
                .as("a value is no key")
                .isFalse();
        assertThat(CanonicalKeyParts.hasTagKey(canonical, "cp")).isFalse();
        assertThat(CanonicalKeyParts.hasTagKey(canonical, "node_cpu_seconds_total"))
                .as("the metric")
                .isFalse();
    }

    /** The separators are found eight bytes at a time: every length and position of a NUL counts. */
    @Property(tries = 200)
    void tagCountAndMetricLengthFindTheNulsAtAnyLengthAndPosition(
            @ForAll @Size(max = 40) List<@IntRange(max = 3) Integer> b) {
        byte[] bytes = new byte[b.size()];
        int nuls = 0;
        for (int i = 0; i < bytes.length; i++) {
            // 0, 0x80 (high bit only), 0x7f (low bits only) and 'a'
            bytes[i] = (byte) new int[] {0, 0x80, 0x7f, 'a'}[b.get(i)];
            nuls += bytes[i] == 0 ? 1 : 0;
        }
        assertThat(CanonicalKeyParts.tagCount(bytes)).isEqualTo(nuls / 2);
        int first = 0;
        while (first < bytes.length && bytes[first] != 0) {
            first++;
        }
        assertThat(CanonicalKeyParts.metricLength(bytes))
                .as("the first NUL, or the length")
                .isEqualTo(first);
    }

    @Test
    void aMetricAloneHasNoTags() {
        CanonicalKeyParts parts = CanonicalKeyParts.of(bytes("up"));
        assertThat(parts.metric()).isEqualTo("up");
        assertThat(parts.keys()).isEmpty();
        assertThat(CanonicalKeyParts.tagCount(bytes("up"))).isZero();
        assertThat(CanonicalKeyParts.hasTagKey(bytes("up"), "up")).isFalse();
    }

    @Test
    void bytesThatAreNoCanonicalKeyAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> CanonicalKeyParts.of(new byte[0]))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("malformed series key: empty");
        assertThatThrownBy(() -> CanonicalKeyParts.of(bytes("cpu\0host\0a\0dc")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("malformed series key [key=cpu,host=a,dc]: 4 parts");
        assertThatThrownBy(() -> CanonicalKeyParts.of(bytes("cpu\0host\0a\0dc\0x")))
                .hasMessageContaining("tag keys host and dc are not in strictly ascending order");
        assertThatThrownBy(() -> CanonicalKeyParts.of(bytes("cpu\0host\0a\0host\0b")))
                .as("a key twice")
                .hasMessageContaining("tag keys host and host are not in strictly ascending order");
    }
}
