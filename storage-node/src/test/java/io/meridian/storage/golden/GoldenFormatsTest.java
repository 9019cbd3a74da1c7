package io.meridian.storage.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.FormatVersionException;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.SeriesDictionary;
import io.meridian.storage.log.RecordFile;
import io.meridian.storage.part.BlockCodec;
import io.meridian.storage.part.PartFormat;
import io.meridian.storage.part.PartReader;
import io.meridian.storage.part.PartWriter;
import io.meridian.storage.part.SlotColumns;
import io.meridian.storage.wal.Wal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;

/**
 * Golden files pin every on-disk format (v1). They live in {@code src/test/resources/golden/<format>/v1/}
 * and were created by this class's generators (see README.md there). A failure here means a format
 * changed: bump its version and add a new golden directory instead of regenerating these.
 * To create missing golden files once: {@code -Dmeridian.golden.create=<dir of src/test/resources/golden>}.
 */
class GoldenFormatsTest {
    static final int GOLDEN_V2_BYTES = 1123;
    static final int GOLDEN_V3_BYTES = 1107;
    static final int GOLDEN_V4_BYTES = 2262;

    @TempDir
    Path tmp;

    static SlotColumns columns(int seed, int n, boolean histogram) {
        SlotColumns c = new SlotColumns(n, histogram);
        double v = 50;
        for (int i = 0; i < n; i++) {
            v = Math.max(0, Math.min(100, v + ((i * 7919 + seed) % 5) - 2));
            c.addPoint(i * 2, 0, v);
            if (i % 3 == 0) {
                c.addPoint(i * 2, 4000, v / 2);
            }
        }
        return c;
    }

    /** Two-decimal random walk, one point per slot: the data the RICE column kind (v2) exists for. */
    static SlotColumns twoDecimalWalk() {
        Random r = new Random(5);
        SlotColumns c = new SlotColumns(600, false);
        double x = 50;
        for (int i = 0; i < 600; i++) {
            x = Math.max(0, Math.min(100, x + r.nextGaussian()));
            c.addPoint(i, 0, Math.rint(x * 100) / 100);
        }
        return c;
    }

    /** The v1 golden holds the first three blocks; v2 adds a fourth that is encoded with RICE. */
    static void writePart(Path target) {
        // zstd level 3: the level the goldens were made with (the level is an encoder setting, not format)
        try (PartWriter w = new PartWriter(target, 10_000, 1_767_225_600_000L, 8640, new BlockCodec(3))) {
            w.add(0, 0, FieldType.GAUGE, columns(1, 3, false));
            w.add(0, 1, FieldType.SUM, columns(2, 400, false));
            w.add(7, 0, FieldType.HISTOGRAM, columns(3, 5, true));
            w.add(9, 0, FieldType.GAUGE, twoDecimalWalk());
            w.finish();
        }
    }

    static void writeWalAndIndexes(Path dir) {
        try (SeriesDictionary d = SeriesDictionary.open(dir)) {
            d.define(SeriesKey.of("cpu", "host", "h1", "dc", "eu").canonicalBytes());
            d.define(SeriesKey.of("cpu", "host", "h2").canonicalBytes());
        }
        try (FieldSchema s = FieldSchema.open(dir)) {
            s.define("cpu", "usage", FieldType.GAUGE);
            s.define("cpu", "requests", FieldType.SUM);
        }
        try (RecordFile wal = RecordFile.open(dir.resolve("000000000001.wal"), Wal.MAGIC, (t, p) -> {})) {
            wal.append(
                    1,
                    new ByteSink()
                            .putVarInt(0)
                            .put(SeriesKey.of("cpu", "host", "h1").canonicalBytes()));
            wal.append(
                    3,
                    new ByteSink()
                            .putVarInt(1)
                            .putVarInt(0)
                            .putVarInt(1)
                            .putVarInt(0)
                            .putVarInt(2)
                            .putZigZag(1_767_225_600_000L)
                            .putZigZag(10_000)
                            .putDouble(1.5)
                            .putDouble(2.25));
        }
    }

    private static byte[] golden(String format, String file, Path fresh) throws IOException {
        return golden(format, 1, file, fresh);
    }

    private static byte[] golden(String format, int version, String file, Path fresh) throws IOException {
        String resource = "/golden/" + format + "/v" + version + "/" + file;
        try (InputStream in = GoldenFormatsTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                String create = System.getProperty("meridian.golden.create");
                if (create != null) {
                    Path target = Path.of(create, format, "v" + version, file);
                    Files.createDirectories(target.getParent());
                    Files.copy(fresh, target);
                    return Files.readAllBytes(fresh);
                }
                throw new AssertionError("golden file missing: " + resource);
            }
            return in.readAllBytes();
        }
    }

    /**
     * The v4 golden reads back to the generator's content with its row summary, and a part written today does too.
     * Whole-file bytes of new parts are not pinned: encoder choices (zstd level, which column kind wins) may change
     * them within a format version; each column kind's bytes are pinned in {@link ColumnKindGoldenTest}.
     */
    @Test
    void partFormatV4ReadsAndTodaysPartsMatchIt() throws IOException {
        Path fresh = tmp.resolve("part");
        writePart(fresh);
        byte[] golden = golden("part", 4, "000000000001.part", fresh);
        assertThat(golden).hasSize(GOLDEN_V4_BYTES);
        assertThat(golden[PartFormat.VERSION_OFFSET]).isEqualTo((byte) 4);
        assertGoldenContent(golden, 4);
        assertRowSummary(golden);
        byte[] today = Files.readAllBytes(fresh);
        assertThat(Arrays.copyOf(today, PartFormat.HEADER_LENGTH))
                .as("header layout")
                .isEqualTo(Arrays.copyOf(golden, PartFormat.HEADER_LENGTH));
        assertGoldenContent(today, 4);
        assertRowSummary(today);
        Path again = tmp.resolve("again");
        writePart(again);
        assertThat(Files.readAllBytes(again)).as("writing is deterministic").isEqualTo(today);
    }

    /** Per series, the slots with a point in any of its fields. */
    private void assertRowSummary(byte[] part) throws IOException {
        Path copy = tmp.resolve("summary-" + part.length + ".part");
        Files.write(copy, part);
        PartReader r = PartReader.open(copy);
        try {
            assertThat(r.hasRowSummary()).isTrue();
            // series 0: field 0 in slots 0, 2, 4; field 1 in slots 0, 2, ..., 798
            ImmutableRoaringBitmap s0 = r.summaryRows(r.summaryOf(0));
            assertThat(s0.getCardinality()).isEqualTo(400);
            assertThat(s0.first()).isZero();
            assertThat(s0.last()).isEqualTo(798);
            assertThat(s0.contains(4)).isTrue();
            assertThat(s0.contains(5)).isFalse();
            assertThat(r.summaryRows(r.summaryOf(7)).toArray()).containsExactly(0, 2, 4, 6, 8);
            ImmutableRoaringBitmap s9 = r.summaryRows(r.summaryOf(9));
            assertThat(s9.getCardinality()).isEqualTo(600);
            assertThat(s9.last()).isEqualTo(599);
            assertThat(r.summaryOf(1)).as("no block of series 1").isNegative();
        } finally {
            r.release();
        }
    }

    /** v3 parts (before the row summary) still read back identically, without a summary. */
    @Test
    void partFormatV3StillReads() throws IOException {
        byte[] golden = golden("part", 3, "000000000001.part", null);
        assertThat(golden).hasSize(GOLDEN_V3_BYTES);
        assertThat(golden[PartFormat.VERSION_OFFSET]).isEqualTo((byte) 3);
        assertGoldenContent(golden, 4);
        Path copy = tmp.resolve("v3.part");
        Files.write(copy, golden);
        PartReader r = PartReader.open(copy);
        try {
            assertThat(r.hasRowSummary()).isFalse();
        } finally {
            r.release();
        }
    }

    /** v2 parts (before the PREDICTED block mode) still read back identically. */
    @Test
    void partFormatV2StillReads() throws IOException {
        byte[] golden = golden("part", 2, "000000000001.part", null);
        assertThat(golden).hasSize(GOLDEN_V2_BYTES);
        assertThat(golden[PartFormat.VERSION_OFFSET]).isEqualTo((byte) 2);
        assertGoldenContent(golden, 4);
    }

    /** v1 parts (written before the RICE column kind existed) still read back identically. */
    @Test
    void partFormatV1StillReads() throws IOException {
        byte[] golden = golden("part", 1, "000000000001.part", null);
        assertThat(golden).hasSize(420);
        assertThat(golden[PartFormat.VERSION_OFFSET]).isEqualTo((byte) 1);
        assertGoldenContent(golden, 3);
    }

    private void assertGoldenContent(byte[] golden, int entries) throws IOException {
        Path copy = tmp.resolve("golden-" + golden.length + ".part");
        Files.write(copy, golden);
        PartReader r = PartReader.open(copy);
        try {
            assertThat(r.entryCount()).isEqualTo(entries);
            assertThat(r.intervalMs()).isEqualTo(10_000);
            assertThat(r.slotCount()).isEqualTo(8640);
            assertThat(r.typeAt(2)).isEqualTo(FieldType.HISTOGRAM);
            BlockCodec codec = new BlockCodec();
            SlotColumns big = r.readBlock(r.find(0, 1), codec);
            SlotColumns expected = columns(2, 400, false);
            assertThat(big.size()).isEqualTo(400);
            for (int i = 0; i < 400; i++) {
                assertThat(big.sum(i)).isEqualTo(expected.sum(i));
                assertThat(big.count(i)).isEqualTo(expected.count(i));
                assertThat(big.lastOffset(i)).isEqualTo(expected.lastOffset(i));
            }
            assertThat(r.readBlock(r.find(7, 0), codec).histogram(0).total()).isEqualTo(2);
            if (entries == 4) {
                SlotColumns walk = r.readBlock(r.find(9, 0), codec);
                SlotColumns want = twoDecimalWalk();
                for (int i = 0; i < want.size(); i++) {
                    assertThat(walk.last(i)).isEqualTo(want.last(i));
                }
            }
        } finally {
            r.release();
        }
    }

    @Test
    void recordFileFormatsV1AreStable() throws IOException {
        Path dir = tmp.resolve("logs");
        writeWalAndIndexes(dir);
        for (String f : List.of(SeriesDictionary.FILE_NAME, FieldSchema.FILE_NAME, "000000000001.wal")) {
            assertThat(Files.readAllBytes(dir.resolve(f))).as(f).isEqualTo(golden("records", f, dir.resolve(f)));
        }
        Path copy = tmp.resolve("copy");
        Files.createDirectories(copy);
        Files.write(copy.resolve(SeriesDictionary.FILE_NAME), golden("records", SeriesDictionary.FILE_NAME, null));
        Files.write(copy.resolve(FieldSchema.FILE_NAME), golden("records", FieldSchema.FILE_NAME, null));
        try (SeriesDictionary d = SeriesDictionary.open(copy);
                FieldSchema s = FieldSchema.open(copy)) {
            assertThat(d.key(0)).isEqualTo(SeriesKey.of("cpu", "host", "h1", "dc", "eu"));
            assertThat(d.key(1)).isEqualTo(SeriesKey.of("cpu", "host", "h2"));
            assertThat(s.get("cpu", "requests").type()).isEqualTo(FieldType.SUM);
        }
        List<Integer> types = new ArrayList<>();
        Path wal = copy.resolve("000000000001.wal");
        Files.write(wal, golden("records", "000000000001.wal", null));
        RecordFile.open(wal, Wal.MAGIC, (t, p) -> types.add(t)).close();
        assertThat(types).containsExactly(1, 3);
    }

    @Test
    void adversarialPartsRaiseCorruptDataOrVersionErrors() throws IOException {
        Path fresh = tmp.resolve("part");
        writePart(fresh);
        byte[] good = Files.readAllBytes(fresh);
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        byte[] newer = good.clone();
        newer[8] = 9;
        byte[] truncated = Arrays.copyOf(good, good.length - 5);
        byte[] flippedIndex = good.clone();
        flippedIndex[good.length - 40] ^= 1;
        int i = 0;
        for (byte[] bad : List.of(badMagic, newer, truncated, flippedIndex, new byte[3])) {
            Path p = tmp.resolve("bad-" + i++);
            Files.write(p, bad);
            assertThatThrownBy(() -> PartReader.open(p))
                    .isInstanceOfAny(CorruptDataException.class, FormatVersionException.class)
                    .hasMessageContaining(p.toString());
        }
    }
}
