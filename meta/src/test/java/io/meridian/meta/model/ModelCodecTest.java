package io.meridian.meta.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.FormatVersionException;
import io.meridian.common.model.IntervalSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelCodecTest {
    static final DatabaseConfig DB = new DatabaseConfig(
            "cpu",
            4,
            2,
            WriteConcern.MAJORITY,
            List.of(
                    IntervalSpec.parse("10s", "30d"),
                    IntervalSpec.parse("5m", "180d"),
                    IntervalSpec.parse("1h", "730d")),
            List.of("c1", "c2"));
    static final ShardState STATE = new ShardState(
            "cpu", "c1", 3, List.of("n2", "n1"), "n1", 7, Set.of("n1", "n2"), Map.of("n1", 42L, "n2", 40L));

    @Test
    void everyModelValueRoundTrips() {
        List<Object> values = List.of(
                DB,
                STATE,
                new StorageCluster("c1", "idc_east"),
                new NodeInfo(
                        "s1",
                        NodeRole.STORAGE,
                        "10.0.0.1",
                        7001,
                        8001,
                        "idc_east",
                        "c1",
                        "0.1.0",
                        Instant.parse("2026-01-02T03:04:05Z")),
                new NodeReport("s1", List.of(DB), List.of(new ReplicaReport(STATE, 40))),
                new ClusterMarker("abc", Instant.parse("2026-01-02T03:04:05Z")),
                new MasterInfo("b1", "10.0.0.2:7000", Instant.parse("2026-01-02T03:04:05Z")));
        for (Object v : values) {
            byte[] bytes = ModelCodec.encode(v);
            assertThat(ModelCodec.decode(bytes, v.getClass(), "test")).isEqualTo(v);
        }
    }

    @Test
    void versionFieldComesFirst() {
        String json = new String(ModelCodec.encode(new StorageCluster("c1", "idc1")), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"v\":1,\"name\":\"c1\",\"idc\":\"idc1\"}");
    }

    @Test
    void newerVersionIsRefused() {
        byte[] future = "{\"v\":2,\"name\":\"c1\",\"idc\":\"idc1\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ModelCodec.decode(future, StorageCluster.class, "etcd:/m/clusters/c1"))
                .isInstanceOf(FormatVersionException.class)
                .hasMessageContaining("[file=etcd:/m/clusters/c1]: got 2; want 1..1");
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        byte[] extra = "{\"v\":1,\"name\":\"c1\",\"idc\":\"idc1\",\"zone\":\"z\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(ModelCodec.decode(extra, StorageCluster.class, "t")).isEqualTo(new StorageCluster("c1", "idc1"));
    }

    @Test
    void garbageAndInvalidValuesAreCorruptData() {
        assertThatThrownBy(() -> ModelCodec.decode("{nope".getBytes(StandardCharsets.UTF_8), StorageCluster.class, "k"))
                .isInstanceOf(CorruptDataException.class);
        assertThatThrownBy(() -> ModelCodec.decode(
                        "{\"name\":\"c1\"}".getBytes(StandardCharsets.UTF_8), StorageCluster.class, "k"))
                .isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("missing integer field \"v\"");
        byte[] badName = "{\"v\":1,\"name\":\"1bad\",\"idc\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ModelCodec.decode(badName, StorageCluster.class, "k"))
                .isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("invalid cluster name");
    }
}
