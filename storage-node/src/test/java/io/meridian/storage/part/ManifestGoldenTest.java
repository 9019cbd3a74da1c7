package io.meridian.storage.part;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.storage.wal.ReplicaPosition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden MANIFEST (records v1, golden/records/v1/MANIFEST): an edit with parts, a checkpoint and the writers
 * table. Created once with {@code -Dmeridian.golden.create=<golden dir>}, like the other goldens.
 */
class ManifestGoldenTest {
    @TempDir
    Path tmp;

    @Test
    void manifestFormatV1IsStable() throws IOException {
        Path fresh = tmp.resolve("fresh");
        Files.createDirectories(fresh);
        try (Manifest m = Manifest.open(fresh)) {
            m.startEditing();
            m.edit(
                    3,
                    List.of("segments/0/10000/000000000001.part"),
                    List.of(),
                    Map.of("flink-0", new long[] {42, 1000}),
                    null);
            m.edit(0, List.of(), List.of("segments/0/10000/000000000001.part"));
        }
        byte[] bytes = Files.readAllBytes(fresh.resolve(Manifest.FILE_NAME));
        byte[] golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/records/v1/MANIFEST")) {
            if (in == null) {
                String create = System.getProperty("meridian.golden.create");
                assertThat(create)
                        .as("golden MANIFEST missing; create it once with -Dmeridian.golden.create")
                        .isNotNull();
                Files.copy(fresh.resolve(Manifest.FILE_NAME), Path.of(create, "records", "v1", "MANIFEST"));
                golden = bytes;
            } else {
                golden = in.readAllBytes();
            }
        }
        assertThat(bytes).isEqualTo(golden);

        Path copy = tmp.resolve("copy");
        Files.createDirectories(copy);
        Files.write(copy.resolve(Manifest.FILE_NAME), golden);
        try (Manifest m = Manifest.open(copy)) {
            assertThat(m.walCheckpoint()).isEqualTo(3);
            assertThat(m.liveParts()).isEmpty();
            assertThat(m.writers()).containsOnlyKeys("flink-0");
            assertThat(m.writers().get("flink-0")).containsExactly(42, 1000);
            assertThat(m.replica().lastLsn())
                    .as("no replica section in the original v1 bytes")
                    .isZero();
        }
    }

    /** The optional replica section after the writers table (golden/records/v1/MANIFEST-replica). */
    @Test
    void replicaSectionIsStable() throws IOException {
        Path fresh = tmp.resolve("fresh-replica");
        Files.createDirectories(fresh);
        ReplicaPosition p = new ReplicaPosition();
        p.advance(1, 1);
        p.advance(2, 1);
        p.advance(3, 4);
        try (Manifest m = Manifest.open(fresh)) {
            m.startEditing();
            m.edit(2, List.of(), List.of(), Map.of("w", new long[] {7, 9}), p);
        }
        byte[] bytes = Files.readAllBytes(fresh.resolve(Manifest.FILE_NAME));
        byte[] golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/records/v1/MANIFEST-replica")) {
            if (in == null) {
                String create = System.getProperty("meridian.golden.create");
                assertThat(create)
                        .as("golden MANIFEST-replica missing; create it once with -Dmeridian.golden.create")
                        .isNotNull();
                Files.copy(fresh.resolve(Manifest.FILE_NAME), Path.of(create, "records", "v1", "MANIFEST-replica"));
                golden = bytes;
            } else {
                golden = in.readAllBytes();
            }
        }
        assertThat(bytes).isEqualTo(golden);
        Path copy = tmp.resolve("copy-replica");
        Files.createDirectories(copy);
        Files.write(copy.resolve(Manifest.FILE_NAME), golden);
        try (Manifest m = Manifest.open(copy)) {
            ReplicaPosition r = m.replica();
            assertThat(r.lastLsn()).isEqualTo(3);
            assertThat(r.lastEpoch()).isEqualTo(4);
            assertThat(r.endOfEpoch(1)).as("epoch 1 ended where epoch 4 began").isEqualTo(2);
            assertThat(r.endOfEpoch(4)).isEqualTo(3);
        }
    }
}
