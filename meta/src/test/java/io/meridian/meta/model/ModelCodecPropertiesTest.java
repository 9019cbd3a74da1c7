package io.meridian.meta.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.IntervalSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** decode(encode(x)) = x for the values written most often (shard states and database configs). */
class ModelCodecPropertiesTest {
    @Provide
    Arbitrary<ShardState> states() {
        Arbitrary<List<String>> replicas = Arbitraries.strings()
                .withCharRange('a', 'z')
                .ofMinLength(1)
                .ofMaxLength(8)
                .list()
                .uniqueElements()
                .ofMinSize(1)
                .ofMaxSize(5);
        return Combinators.combine(
                        replicas,
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.integers().between(0, 1023),
                        Arbitraries.longs().between(0, 1L << 40),
                        Arbitraries.of(true, false))
                .as((r, epoch, shard, seq, leaderless) -> {
                    Map<String, Long> seqs = new TreeMap<>();
                    r.forEach(n -> seqs.put(n, seq + n.length()));
                    String leader = leaderless ? null : r.get(0);
                    return new ShardState(
                            "db_" + shard % 7,
                            "c" + shard % 3,
                            shard,
                            r,
                            leader,
                            epoch,
                            Set.copyOf(r.subList(0, 1 + r.size() / 2)),
                            seqs);
                });
    }

    @Provide
    Arbitrary<DatabaseConfig> configs() {
        return Combinators.combine(
                        Arbitraries.integers().between(1, DatabaseConfig.MAX_SHARDS),
                        Arbitraries.integers().between(1, 5),
                        Arbitraries.of(WriteConcern.class),
                        Arbitraries.integers().between(1, 59),
                        Arbitraries.integers().between(1, 400))
                .as((shards, replicas, wc, seconds, days) -> new DatabaseConfig(
                        "db",
                        shards,
                        replicas,
                        wc,
                        List.of(
                                IntervalSpec.parse(seconds + "s", days + "d"),
                                IntervalSpec.parse(seconds * 60 + "s", days * 2 + "d")),
                        List.of("c1", "c2")));
    }

    @Property(tries = 300)
    void shardStatesRoundTrip(@ForAll("states") ShardState s) {
        assertThat(ModelCodec.decode(ModelCodec.encode(s), ShardState.class, "prop"))
                .isEqualTo(s);
    }

    @Property(tries = 300)
    void databaseConfigsRoundTrip(@ForAll("configs") DatabaseConfig c) {
        assertThat(ModelCodec.decode(ModelCodec.encode(c), DatabaseConfig.class, "prop"))
                .isEqualTo(c);
    }
}
