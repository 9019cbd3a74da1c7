package io.meridian.broker.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The bounded merge of shard listings: whatever the order and overlap of the parts, the first n of their union. */
class TagValueReaderTest {
    @Test
    void mergingKeepsTheSmallestDistinctValuesUpToTheLimit() {
        TreeSet<String> values = new TreeSet<>();
        TagValueReader.addBounded(values, List.of("b", "d", "f"), 3);
        TagValueReader.addBounded(values, List.of("a", "d", "e"), 3);
        assertThat(values).containsExactly("a", "b", "d");
        TagValueReader.addBounded(values, List.of("z", "c"), 3);
        assertThat(values).containsExactly("a", "b", "c");
    }

    @Test
    void mergingEqualsTheFirstValuesOfTheUnionForRandomParts() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            int limit = 1 + random.nextInt(20);
            TreeSet<String> merged = new TreeSet<>();
            TreeSet<String> union = new TreeSet<>();
            for (int part = 0; part < 1 + random.nextInt(6); part++) {
                List<String> values = new ArrayList<>();
                for (int i = random.nextInt(30); i > 0; i--) {
                    values.add("v" + random.nextInt(50));
                }
                if (random.nextBoolean()) {
                    values.sort(null); // storage answers sorted, but the merge must not depend on it
                }
                union.addAll(values);
                TagValueReader.addBounded(merged, values, limit);
            }
            assertThat(List.copyOf(merged))
                    .as("seed=%d, round=%d, limit=%d", seed, round, limit)
                    .isEqualTo(union.stream().limit(limit).toList());
        }
    }
}
