package io.meridian.storage.engine;

import static io.meridian.storage.engine.TestShards.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.log.RecordFileFormat;
import io.meridian.storage.part.Manifest;
import io.meridian.storage.part.PartFormat;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bit-flip matrix of issue #16 for one replica: one flipped byte in each kind of file a shard keeps (an older
 * and the newest WAL segment, the MANIFEST, the series dictionary, the field schema, a part's header, index and
 * data). Opening never deletes or cuts a file because of damage: it refuses with the file named (the replication
 * layer then quarantines and re-syncs a follower), and a damaged part block fails the query that reads it with the
 * file and offset named.
 */
class CorruptionTest {
    @TempDir
    Path tmp;

    Path pristine;

    private static ShardOptions options() {
        return TestShards.options().withWalSegmentBytes(4096);
    }

    private static WriteBatch batch(int i) {
        WriteBatch.Builder b = WriteBatch.builder();
        for (int h = 0; h < 4; h++) {
            b.point(SeriesKey.of("cpu", "host", "h" + (i * 4 + h) % 40), T0 + i * 10_000L, "requests", i);
        }
        return b.build();
    }

    @BeforeEach
    void buildShard() {
        pristine = tmp.resolve("pristine");
        try (Shard s = Shard.open(pristine, options())) {
            for (int i = 0; i < 200; i++) {
                s.write(batch(i));
                if (i == 99) {
                    s.flush();
                }
            }
        }
    }

    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private Path copyWithFlip(String name, String relative, long offset) throws IOException {
        Path copy = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(pristine)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = copy.resolve(pristine.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path f = copy.resolve(relative);
        byte[] b = Files.readAllBytes(f);
        b[(int) offset] ^= 0x20;
        Files.write(f, b);
        return copy;
    }

    private List<String> walSegments() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(pristine.resolve("wal"))) {
            s.map(p -> "wal/" + p.getFileName())
                    .filter(n -> n.endsWith(".wal"))
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    /** A part of the 1h family: the one a whole-day query reads. */
    private String firstPart() throws IOException {
        try (Stream<Path> s = Files.walk(pristine.resolve("segments"))) {
            return pristine.relativize(s.filter(p -> p.toString().endsWith(".part"))
                            .filter(p -> p.getParent().getFileName().toString().equals("3600000"))
                            .sorted()
                            .findFirst()
                            .orElseThrow())
                    .toString();
        }
    }

    private void assertRefusesNamingAndChangesNothing(String relative, long offset) throws IOException {
        Path copy = copyWithFlip("flip-" + relative.replace('/', '_') + "-" + offset, relative, offset);
        Map<String, byte[]> before = contents(copy);
        assertThatThrownBy(() -> Shard.open(copy, options()).close())
                .as("%s at %d", relative, offset)
                .isInstanceOf(CorruptDataException.class)
                .hasMessageContaining(copy.resolve(relative).getFileName().toString());
        Map<String, byte[]> after = contents(copy);
        assertThat(after.keySet()).as("no file deleted").containsAll(before.keySet());
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            assertThat(after.get(e.getKey())).as("%s unchanged", e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void theUndamagedShardOpensWithEveryPoint() {
        try (Shard s = Shard.open(pristine, options())) {
            assertThat(s.query(new LeafQuery(
                                    "cpu",
                                    TagPredicate.all(),
                                    T0,
                                    T0 + TestShards.DAY,
                                    0,
                                    List.of(),
                                    List.of("requests")))
                            .cell(List.of(), 0, 0)
                            .count())
                    .isEqualTo(800);
        }
    }

    @Test
    void damageInAnyWalSegmentBeforeItsLastRecordRefusesToOpen() throws IOException {
        List<String> segments = walSegments();
        assertThat(segments).as("the fixture replays more than one segment").hasSizeGreaterThan(2);
        for (String seg : segments) {
            long size = Files.size(pristine.resolve(seg));
            if (size <= RecordFileFormat.HEADER_LENGTH) {
                continue; // the empty segment the last open started
            }
            assertRefusesNamingAndChangesNothing(seg, RecordFileFormat.HEADER_LENGTH + 12);
        }
    }

    @Test
    void damageInTheManifestSnapshotRefusesToOpenAndDeletesNoPart() throws IOException {
        assertRefusesNamingAndChangesNothing(Manifest.FILE_NAME, RecordFileFormat.HEADER_LENGTH + 3);
        assertRefusesNamingAndChangesNothing(Manifest.FILE_NAME, RecordFileFormat.HEADER_LENGTH + 12);
    }

    @Test
    void damageInTheDictionaryOrSchemaRefusesToOpen() throws IOException {
        assertRefusesNamingAndChangesNothing("series.dict", RecordFileFormat.HEADER_LENGTH + 10);
        assertRefusesNamingAndChangesNothing("series.dict", Files.size(pristine.resolve("series.dict")) / 2);
    }

    @Test
    void aDamagedLastSchemaRecordIsCaughtByThePartsThatUseItsIds() throws IOException {
        // the schema holds one record: a flip in it looks exactly like a torn tail; the parts' field ids catch it
        Path copy = copyWithFlip("schema", "schema.log", Files.size(pristine.resolve("schema.log")) - 2);
        byte[] damaged = Files.readAllBytes(copy.resolve("schema.log"));
        assertThatThrownBy(() -> Shard.open(copy, options()).close())
                .isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("field id 0")
                .hasMessageContaining("schema.log");
        byte[] kept = Files.readAllBytes(copy.resolve("schema.log.torn"));
        byte[] whole = new byte[Files.readAllBytes(copy.resolve("schema.log")).length + kept.length];
        System.arraycopy(Files.readAllBytes(copy.resolve("schema.log")), 0, whole, 0, whole.length - kept.length);
        System.arraycopy(kept, 0, whole, whole.length - kept.length, kept.length);
        assertThat(whole).as("the cut bytes are kept beside the file").isEqualTo(damaged);
    }

    @Test
    void damageInAPartHeaderOrIndexRefusesToOpen() throws IOException {
        String part = firstPart();
        long size = Files.size(pristine.resolve(part));
        assertRefusesNamingAndChangesNothing(part, PartFormat.INTERVAL_OFFSET + 1);
        assertRefusesNamingAndChangesNothing(part, size - PartFormat.FOOTER_LENGTH - 6);
    }

    @Test
    void damageInAPartBlockFailsTheQueryThatReadsItNamingTheFile() throws IOException {
        String part = firstPart();
        Path copy = copyWithFlip("block", part, PartFormat.HEADER_LENGTH + PartFormat.BLOCK_HEADER_LENGTH + 2);
        try (Shard s = Shard.open(copy, options())) {
            assertThatThrownBy(() -> s.query(new LeafQuery(
                            "cpu", TagPredicate.all(), T0, T0 + TestShards.DAY, 0, List.of(), List.of("requests"))))
                    .isInstanceOf(CorruptDataException.class)
                    .hasMessageContaining(part.substring(part.lastIndexOf('/') + 1));
        }
        assertThat(Files.exists(copy.resolve(part))).isTrue();
    }
}
