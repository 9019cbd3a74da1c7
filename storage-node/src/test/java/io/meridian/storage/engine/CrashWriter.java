package io.meridian.storage.engine;

import io.meridian.common.error.BusyException;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.locks.LockSupport;

/**
 * Child process of {@link KillDuringWriteTest}: writes batches forever, as writer {@code crash-writer} with
 * sequence i + 1, and prints {@code ACK <i>} after each write returns (i.e. was acknowledged). The parent
 * kills it with SIGKILL at a random moment.
 */
public final class CrashWriter {
    private CrashWriter() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        ShardOptions options = TestShards.options()
                .withClock(Clock.fixed(Instant.ofEpochMilli(TestShards.NOW), ZoneOffset.UTC))
                .withMemtableBytes(Long.parseLong(args[1]));
        try (Shard shard = Shard.open(dir, options)) {
            for (int i = 0; ; i++) {
                WriteBatch.Builder b = WriteBatch.builder();
                for (int k = 0; k < 20; k++) {
                    b.point(
                            SeriesKey.of("cpu", "host", "h" + k, "batch", Integer.toString(i % 50)),
                            TestShards.T0 + i * 10_000L,
                            "usage",
                            i);
                }
                WriteBatch batch = b.build().withWriter("crash-writer", i + 1L);
                while (true) {
                    try {
                        shard.write(batch);
                        break;
                    } catch (BusyException busy) {
                        // back-pressure while a flush runs: retry the same (writer, sequence), as a client does
                        LockSupport.parkNanos(1_000_000L);
                    }
                }
                System.out.println("ACK " + i);
                System.out.flush();
            }
        }
    }
}
