package io.meridian.common.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The in-memory hash of series bytes: every byte of the range counts, only those, wherever the range lies. */
class ByteRangeHashTest {
    private static final byte[] KEY = "node_cpu_seconds_total\0cpu\0003\0instance\0host-17:9100\0job\0node\0mode\0idle"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void everyBitOfEveryByteChangesTheHash() {
        int h = ByteRangeHash.of(KEY);
        for (int i = 0; i < KEY.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = KEY.clone();
                b[i] ^= (byte) (1 << bit);
                assertThat(ByteRangeHash.of(b)).as("byte %d, bit %d", i, bit).isNotEqualTo(h);
            }
        }
    }

    @Test
    void theRangeAloneCountsNotWhereItLies() {
        byte[] framed = new byte[KEY.length + 11];
        System.arraycopy(KEY, 0, framed, 5, KEY.length);
        framed[4] = 'x';
        framed[5 + KEY.length] = 'y';
        assertThat(ByteRangeHash.of(framed, 5, KEY.length)).isEqualTo(ByteRangeHash.of(KEY));
        assertThat(ByteRangeHash.of(KEY, 0, KEY.length - 1)).isNotEqualTo(ByteRangeHash.of(KEY));
        assertThat(ByteRangeHash.of(new byte[0])).isNotEqualTo(ByteRangeHash.of(new byte[1]));
    }

    /** Keys that differ in one digit of a host name, as a fleet's do, spread over a hash table's low bits. */
    @Test
    void similarKeysSpreadOverTheLowBits() {
        Set<Integer> buckets = new HashSet<>();
        for (int host = 0; host < 4096; host++) {
            byte[] key = ("cpu\0hostname\0host_" + host + "\0region\0eu-west-1").getBytes(StandardCharsets.UTF_8);
            int h = ByteRangeHash.of(key);
            buckets.add((h ^ h >>> 16) & 4095); // ConcurrentHashMap's spread, a table of 4,096
        }
        assertThat(buckets.size()).as("distinct buckets of 4,096 keys").isGreaterThan(2400); // random: ~2,589
    }
}
