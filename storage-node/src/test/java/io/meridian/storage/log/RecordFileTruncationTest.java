package io.meridian.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.CorruptDataException;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.file.FileIo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay survives truncation at every byte (it keeps exactly the complete prefix and cuts the torn tail), and a
 * flipped byte anywhere but in the last record is damage that is reported, never cut off.
 */
class RecordFileTruncationTest {
    static final byte[] MAGIC = "MRDTEST1".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void truncationAtEveryByteKeepsTheCompleteRecordsBeforeIt() throws IOException {
        Path full = dir.resolve("full.log");
        List<Long> ends = new ArrayList<>();
        try (RecordFile f = RecordFile.open(full, MAGIC, (t, p) -> {})) {
            for (int i = 0; i < 12; i++) {
                ByteSink s = new ByteSink();
                s.putVarInt(i).put(new byte[i * 3]);
                f.append(1 + i % 3, s);
                f.write();
                ends.add(f.size());
            }
        }
        byte[] bytes = Files.readAllBytes(full);
        for (int cut = RecordFileFormat.HEADER_LENGTH; cut <= bytes.length; cut++) {
            Path p = dir.resolve("cut-" + cut);
            Files.write(p, Arrays.copyOf(bytes, cut));
            List<Integer> seen = new ArrayList<>();
            try (RecordFile f = RecordFile.open(p, MAGIC, (t, in) -> seen.add((int) in.getVarLong()))) {
                int complete = 0;
                while (complete < ends.size() && ends.get(complete) <= cut) {
                    complete++;
                }
                assertThat(seen).as("cut at %d", cut).hasSize(complete);
                long validEnd = complete == 0 ? RecordFileFormat.HEADER_LENGTH : ends.get(complete - 1);
                assertThat(f.size()).isEqualTo(validEnd);
                f.append(9, new ByteSink().putVarInt(99));
            }
            List<Integer> after = new ArrayList<>();
            try (RecordFile f = RecordFile.open(p, MAGIC, (t, in) -> after.add((int) in.getVarLong()))) {
                assertThat(after)
                        .as("appending after recovery at cut %d", cut)
                        .endsWith(99)
                        .hasSize(seen.size() + 1);
            }
            Files.delete(p);
        }
    }

    private Path fiveRecords(String name) throws IOException {
        Path p = dir.resolve(name);
        try (RecordFile f = RecordFile.open(p, MAGIC, (t, in) -> {})) {
            for (int i = 0; i < 5; i++) {
                f.append(1, new ByteSink().putVarInt(i).putLong(i));
            }
        }
        return p;
    }

    private static int recordLength(byte[] bytes) {
        return (bytes.length - RecordFileFormat.HEADER_LENGTH) / 5;
    }

    @Test
    void aFlippedByteBeforeTheLastRecordIsDamageNamedByFileAndOffsetAndChangesNothing() throws IOException {
        for (int record = 0; record < 4; record++) {
            for (int at : new int[] {0, 3, 5, 10}) {
                Path p = fiveRecords("flip-" + record + "-" + at);
                byte[] bytes = Files.readAllBytes(p);
                int recordStart = RecordFileFormat.HEADER_LENGTH + record * recordLength(bytes);
                bytes[recordStart + at] ^= 0x40;
                Files.write(p, bytes);
                assertThatThrownBy(() -> RecordFile.open(p, MAGIC, (t, in) -> {}))
                        .as("record %d, byte %d", record, at)
                        .isInstanceOf(CorruptDataException.class)
                        .hasMessageContaining(p.toString())
                        .hasMessageContaining("offset=" + recordStart)
                        .hasMessageContaining("left as it is");
                assertThat(Files.readAllBytes(p))
                        .as("the damaged file is not cut")
                        .isEqualTo(bytes);
            }
        }
    }

    @Test
    void aFlippedByteInTheLastRecordIsATornTailOnlyWhereAppendsGo() throws IOException {
        Path p = fiveRecords("last");
        byte[] bytes = Files.readAllBytes(p);
        bytes[bytes.length - 3] ^= 0x01;
        Files.write(p, bytes);
        assertThatThrownBy(() ->
                        RecordFile.open(FileIo.NIO, p, MAGIC, RecordFile.TailRecovery.REQUIRE_COMPLETE, (t, in) -> {}))
                .isInstanceOf(CorruptDataException.class);
        assertThat(Files.size(p)).as("an older WAL segment is never cut").isEqualTo(bytes.length);
        List<Integer> seen = new ArrayList<>();
        try (RecordFile f = RecordFile.open(p, MAGIC, (t, in) -> seen.add((int) in.getVarLong()))) {
            assertThat(seen).containsExactly(0, 1, 2, 3);
        }
    }

    @Test
    void zerosAfterTheLastRecordAreATornTail() throws IOException {
        Path p = fiveRecords("zeros");
        byte[] bytes = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(bytes, bytes.length + 100));
        List<Integer> seen = new ArrayList<>();
        try (RecordFile f = RecordFile.open(p, MAGIC, (t, in) -> seen.add((int) in.getVarLong()))) {
            assertThat(seen).containsExactly(0, 1, 2, 3, 4);
        }
        assertThat(Files.size(p)).isEqualTo(bytes.length);
    }

    @Test
    void theFirstRecordOfASnapshotFileIsNeverATornTail() throws IOException {
        Path p = dir.resolve("manifest-like");
        try (RecordFile f = RecordFile.open(p, MAGIC, (t, in) -> {})) {
            f.append(1, new ByteSink().putVarInt(7).putLong(7));
        }
        byte[] bytes = Files.readAllBytes(p);
        bytes[bytes.length - 2] ^= 0x10;
        Files.write(p, bytes);
        assertThatThrownBy(() -> RecordFile.open(
                        FileIo.NIO, p, MAGIC, RecordFile.TailRecovery.TRUNCATE_TORN_TAIL_AFTER_FIRST, (t, in) -> {}))
                .isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("written complete");
        assertThat(Files.readAllBytes(p)).isEqualTo(bytes);
    }
}
