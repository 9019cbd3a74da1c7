package io.meridian.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.SeriesKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Postings set operations agree with a brute-force scan of the series (a TreeSet of ids). */
class PostingsIndexTest {
    static TagPredicate randomPredicate(Random r, int depth) {
        String key = "k" + r.nextInt(3);
        String value = "v" + r.nextInt(6);
        int kind = depth > 2 ? r.nextInt(5) : r.nextInt(8);
        return switch (kind) {
            case 0 -> TagPredicate.eq(key, value);
            case 1 -> new TagPredicate.In(key, List.of(value, "v" + r.nextInt(6), "missing"));
            case 2 -> new TagPredicate.Prefix(key, "v" + (r.nextInt(2) == 0 ? "" : Integer.toString(r.nextInt(6))));
            case 3 -> TagPredicate.Regex.of(key, "v[0-" + r.nextInt(6) + "]");
            case 4 -> TagPredicate.all();
            case 5 -> new TagPredicate.Not(randomPredicate(r, depth + 1));
            case 6 -> new TagPredicate.And(List.of(randomPredicate(r, depth + 1), randomPredicate(r, depth + 1)));
            default -> new TagPredicate.Or(List.of(randomPredicate(r, depth + 1), randomPredicate(r, depth + 1)));
        };
    }

    @Property(tries = 300)
    void resolveAgreesWithBruteForce(@ForAll long seed) {
        Random r = new Random(seed);
        PostingsIndex index = new PostingsIndex();
        List<SeriesKey> keys = new ArrayList<>();
        for (int id = 0; id < 60; id++) {
            List<String> kv = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                if (r.nextInt(4) > 0) {
                    kv.add("k" + k);
                    kv.add("v" + r.nextInt(6));
                }
            }
            SeriesKey key = SeriesKey.of(r.nextInt(5) == 0 ? "mem" : "cpu", kv.toArray(new String[0]));
            keys.add(key);
            index.add(id, key);
        }
        TagPredicate p = randomPredicate(r, 0);
        TreeSet<Integer> expected = new TreeSet<>();
        for (int id = 0; id < keys.size(); id++) {
            if (keys.get(id).metric().equals("cpu") && TagPredicateReference.matches(p, keys.get(id))) {
                expected.add(id);
            }
        }
        TreeSet<Integer> actual = new TreeSet<>();
        index.resolve("cpu", p).forEach((int id) -> actual.add(id));
        assertThat(actual).as("predicate %s", p).isEqualTo(expected);
    }
}
