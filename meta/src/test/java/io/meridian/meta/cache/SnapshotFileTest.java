package io.meridian.meta.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.model.IntervalSpec;
import io.meridian.meta.model.ClusterMarker;
import io.meridian.meta.model.DatabaseConfig;
import io.meridian.meta.model.NodeInfo;
import io.meridian.meta.model.NodeRole;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.model.WriteConcern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {
    static MetaSnapshot sample() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        DatabaseConfig db = new DatabaseConfig(
                "cpu", 2, 2, WriteConcern.LEADER, List.of(IntervalSpec.parse("10s", "1d")), List.of("east", "west"));
        return new MetaSnapshot(
                77,
                new ClusterMarker("id-1", t),
                null,
                Map.of(
                        "s1",
                        new NodeInfo("s1", NodeRole.STORAGE, "h1", 7001, 0, "idc_e", "east", "v", t),
                        "s2",
                        new NodeInfo("s2", NodeRole.STORAGE, "h2", 7002, 0, "idc_w", "west", "v", t)),
                Map.of("east", new StorageCluster("east", "idc_e"), "west", new StorageCluster("west", "idc_w")),
                Map.of("cpu", db),
                Map.of(
                        MetaSnapshot.stateKey("cpu", "east", 0),
                        new ShardState("cpu", "east", 0, List.of("s1"), "s1", 3, Set.of("s1"), Map.of("s1", 9L)),
                        MetaSnapshot.stateKey("cpu", "west", 0),
                        new ShardState("cpu", "west", 0, List.of("s2"), "s2", 5, Set.of("s2"), Map.of())),
                Map.of());
    }

    @Test
    void roundTripsAndLeavesNoTempFile(@TempDir Path dir) throws Exception {
        SnapshotFile file = new SnapshotFile(dir);
        assertThat(file.read()).isEmpty();

        file.write(sample());

        assertThat(file.read()).contains(sample());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(SnapshotFile.FILE_NAME);
        }
    }

    @Test
    void damagedFileIsReportedAsCorruptData(@TempDir Path dir) throws Exception {
        SnapshotFile file = new SnapshotFile(dir);
        Files.writeString(file.path(), "{\"v\":1,\"revision\":");
        Assertions.assertThatThrownBy(file::read)
                .isInstanceOf(CorruptDataException.class)
                .hasMessageContaining(file.path().toString());
    }
}
