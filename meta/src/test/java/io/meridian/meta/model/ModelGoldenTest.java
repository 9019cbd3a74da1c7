package io.meridian.meta.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.IntervalSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the v1 JSON of every value stored in etcd. The golden files under
 * {@code src/test/resources/golden/meta-json/v1/} are permanent: a change to them is a format change that needs
 * a new version (see ModelCodec), never a regeneration.
 */
class ModelGoldenTest {
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");
    private static final DatabaseConfig DB = new DatabaseConfig(
            "cpu",
            4,
            2,
            WriteConcern.MAJORITY,
            List.of(IntervalSpec.parse("10s", "30d"), IntervalSpec.parse("5m", "180d")),
            List.of("east"));
    private static final ShardState STATE = new ShardState(
            "cpu", "east", 3, List.of("s2", "s1"), "s1", 7, Set.of("s1", "s2"), Map.of("s1", 42L, "s2", 40L));

    static Stream<Arguments> golden() {
        return Stream.of(
                Arguments.of("storage-cluster.json", new StorageCluster("east", "idc_e")),
                Arguments.of("database-config.json", DB),
                Arguments.of("shard-state.json", STATE),
                Arguments.of(
                        "node-info.json",
                        new NodeInfo("s1", NodeRole.STORAGE, "10.0.0.1", 7001, 8001, "idc_e", "east", "0.1.0", T)),
                Arguments.of(
                        "node-report.json", new NodeReport("s1", List.of(DB), List.of(new ReplicaReport(STATE, 42)))),
                Arguments.of("cluster-marker.json", new ClusterMarker("7c0d", T)),
                Arguments.of("master-info.json", new MasterInfo("b1", "10.0.0.9:7000", T)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void v1IsStable(String file, Object value) throws IOException {
        byte[] golden = read(file);
        assertThat(ModelCodec.decode(golden, value.getClass(), file)).isEqualTo(value);
        assertThat(new String(ModelCodec.encode(value), StandardCharsets.UTF_8))
                .isEqualTo(new String(golden, StandardCharsets.UTF_8).strip());
    }

    private static byte[] read(String file) throws IOException {
        try (InputStream in = ModelGoldenTest.class.getResourceAsStream("/golden/meta-json/v1/" + file)) {
            assertThat(in).as("golden file %s", file).isNotNull();
            return in.readAllBytes();
        }
    }
}
