package io.meridian.storage.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.common.model.AggState;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Kills a child JVM with SIGKILL in the middle of writing (and, with a small memtable, of flushing) and
 * checks that every acknowledged batch is there after recovery, and that a writer retrying every batch
 * after the crash ends with each batch exactly once (a batch in flight at the kill is complete or absent).
 */
class KillDuringWriteTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "memtable={0} bytes, kill after {1} acks")
    @CsvSource({"268435456, 300", "32768, 700", "32768, 1500"})
    void everyAcknowledgedWriteSurvivesKill9(long memtableBytes, int killAfter) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashWriter.class.getName(),
                        dir.toString(),
                        Long.toString(memtableBytes))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int lastAck = -1;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    lastAck = Integer.parseInt(line.substring(4));
                    if (lastAck >= killAfter) {
                        child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
                        break;
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lastAck).as("child acknowledged writes before it was killed").isGreaterThanOrEqualTo(killAfter);

        try (Shard shard = Shard.open(dir, TestShards.options())) {
            // the writer restarts and retries everything from batch 0 (as if it never saw the acks): every
            // batch must still be there exactly once
            for (int i = 0; i <= lastAck + 3; i++) {
                WriteBatch.Builder b = WriteBatch.builder();
                for (int k = 0; k < 20; k++) {
                    b.point(
                            SeriesKey.of("cpu", "host", "h" + k, "batch", Integer.toString(i % 50)),
                            TestShards.T0 + i * 10_000L,
                            "usage",
                            i);
                }
                Shard.WriteResult r = shard.write(b.build().withWriter("crash-writer", i + 1L));
                if (i <= lastAck) {
                    assertThat(r).as("retry of acknowledged batch %d", i).isEqualTo(Shard.WriteResult.DUPLICATE);
                }
            }
            LeafQuery q = new LeafQuery(
                    "cpu",
                    TagPredicate.all(),
                    TestShards.T0,
                    TestShards.T0 + 86_400_000L,
                    10_000,
                    List.of(),
                    List.of("usage"));
            var result = shard.query(q);
            for (int i = 0; i <= lastAck + 3; i++) {
                AggState s = result.cell(List.of(), i, 0);
                assertThat(s).as("acknowledged batch %d", i).isNotNull();
                assertThat(s.count()).as("batch %d is there exactly once", i).isEqualTo(20);
                assertThat(s.sum()).isEqualTo(20.0 * i);
            }
            assertThat(new File(dir.toFile(), "wal").isDirectory()).isTrue();
        }
    }
}
