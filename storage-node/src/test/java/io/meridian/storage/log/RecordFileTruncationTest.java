package io.meridian.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.storage.encoding.ByteSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay survives truncation at every byte and a flipped byte: it keeps exactly the complete prefix. */
class RecordFileTruncationTest {
    static final byte[] MAGIC = "MRDTEST1".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void truncationAtEveryByteKeepsTheCompleteRecordsBeforeIt() throws IOException {
        Path full = dir.resolve("full.log");
        List<Long> ends = new ArrayList<>();
        try (RecordFile f = RecordFile.open(full, MAGIC, (t, p) -> { })) {
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
                assertThat(after).as("appending after recovery at cut %d", cut).endsWith(99).hasSize(seen.size() + 1);
            }
            Files.delete(p);
        }
    }

    @Test
    void aFlippedByteEndsReplayAtTheDamagedRecord() throws IOException {
        Path p = dir.resolve("flip.log");
        try (RecordFile f = RecordFile.open(p, MAGIC, (t, in) -> { })) {
            for (int i = 0; i < 5; i++) {
                f.append(1, new ByteSink().putVarInt(i).putLong(i));
            }
        }
        byte[] bytes = Files.readAllBytes(p);
        int recordLength = (bytes.length - RecordFileFormat.HEADER_LENGTH) / 5;
        bytes[RecordFileFormat.HEADER_LENGTH + 2 * recordLength + 10] ^= 0x40;
        Files.write(p, bytes);
        List<Integer> seen = new ArrayList<>();
        try (RecordFile f = RecordFile.open(p, MAGIC, (t, in) -> seen.add((int) in.getVarLong()))) {
            assertThat(seen).containsExactly(0, 1);
        }
    }
}
