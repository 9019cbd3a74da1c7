package io.meridian.storage.server;

import static io.meridian.storage.server.StorageServerFixture.EPOCH;
import static io.meridian.storage.server.StorageServerFixture.SHARD0;
import static io.meridian.storage.server.StorageServerFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.MeridianException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.PartialTableCodec;
import io.meridian.common.rpc.RpcErrors;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.WriteRequest;
import io.meridian.storage.file.DiskSpace;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.WriteBatch;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk (issue #16): the node's data directory is a 48 MiB tmpfs, filled by a ballast file to just above
 * the watermark, then written to over gRPC until it refuses. The refusal is DISK_FULL (HTTP 507) naming the node and
 * the directory, every acknowledged point is there exactly once, and once the ballast is removed writes resume
 * without a restart. Needs to mount a tmpfs (root or CAP_SYS_ADMIN, as the test command runs).
 */
class DiskFullTest {
    private static final long WATERMARK = 8L << 20;

    @TempDir
    Path tmp;

    Path mount;
    StorageServerFixture fx;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = tmp.resolve("disk");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("this test mounts a 48 MiB tmpfs as a storage node's disk and needs root or CAP_SYS_ADMIN (the"
                    + " test command runs as root): mount said: " + out);
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (fx != null) {
            fx.close();
        }
        new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }

    private static WriteRequest batch(long seq) {
        WriteBatch.Builder b = WriteBatch.builder();
        for (int h = 0; h < 200; h++) {
            b.point(SeriesKey.of("http", "host", "h" + h), T0 + seq * 10_000L, "requests", 1);
        }
        return WriteRequest.newBuilder()
                .setShard(ShardRefCodec.encode(SHARD0, EPOCH))
                .setBatch(PointBatchCodec.encode(b.build()))
                .setWriterId("w")
                .setSequence(seq)
                .build();
    }

    private long countOverTheWire() {
        List<LeafResultChunk> chunks = new ArrayList<>();
        fx.stub
                .leafQuery(LeafQueryCodec.encode(new LeafQuery(
                                "http", TagPredicate.all(), T0, T0 + 86_400_000L, 0, List.of(), List.of("requests")))
                        .setShard(ShardRefCodec.encode(SHARD0, 0))
                        .build())
                .forEachRemaining(chunks::add);
        AggState s = PartialTableCodec.decode(chunks).cell(List.of(), 0, 0);
        return s == null ? 0 : s.count();
    }

    @Test
    void writesPastTheWatermarkGet507AndResumeWhenSpaceReturns() throws IOException {
        Path data = mount.resolve("data");
        fx = new StorageServerFixture(data, DiskSpace.of("storage-7", data, 0, WATERMARK));
        Path ballast = mount.resolve("ballast");
        long usable = Files.getFileStore(mount).getUsableSpace();
        try (RandomAccessFile f = new RandomAccessFile(ballast.toFile(), "rw")) {
            byte[] chunk = new byte[1 << 20];
            for (long left = usable - WATERMARK - (3L << 20); left > 0; left -= chunk.length) {
                f.write(chunk, 0, (int) Math.min(chunk.length, left)); // real pages, not a sparse file
            }
        }
        long acked = 0;
        MeridianException refused = null;
        for (long seq = 1; seq <= 10_000 && refused == null; seq++) {
            try {
                fx.stub.write(batch(seq));
                acked++;
            } catch (StatusRuntimeException e) {
                refused = RpcErrors.fromStatus(e);
            }
        }
        assertThat(refused).as("the disk filled up within 10,000 batches").isNotNull();
        assertThat(refused.code()).isEqualTo(ErrorCode.DISK_FULL);
        assertThat(refused.code().httpStatus()).isEqualTo(507);
        assertThat(refused.isRetriable()).isTrue();
        assertThat(refused.getMessage()).contains("node=storage-7").contains("dir=" + data);
        assertThat(Files.getFileStore(mount).getUsableSpace())
                .as("refused before ENOSPC")
                .isPositive();
        assertThat(countOverTheWire()).as("every acknowledged point, once").isEqualTo(acked * 200);

        Files.delete(ballast);
        long next = acked + 1;
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            try {
                fx.stub.write(batch(next));
            } catch (StatusRuntimeException e) {
                throw new AssertionError("still refused: " + e.getMessage());
            }
        });
        assertThat(countOverTheWire()).as("writes resumed without a restart").isEqualTo((acked + 1) * 200);
    }
}
