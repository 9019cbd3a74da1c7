package io.meridian.storage.replication.log;

import io.meridian.common.error.StorageIoException;
import io.meridian.storage.log.RecordScanner;
import io.meridian.storage.part.Manifest;
import io.meridian.storage.shard.ShardFiles;
import io.meridian.storage.wal.Wal;
import io.meridian.storage.wal.WalRecordType;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a closed shard's replica log back to an LSN: what a returning replica does when its leader says its
 * tail was never committed (it was a stale leader, or fetched ops a dead leader never got acknowledged). Only
 * the WAL after the MANIFEST checkpoint can be cut, which is why replicated shards flush nothing their leader
 * has not committed ({@link FlushGate}); a tail that reached parts needs a full re-sync.
 *
 * <p>The WAL segment holding the first op past the cut is truncated at that op and later segments are
 * deleted; series and field definitions in the dropped tail stay in the dictionary and schema (harmless: a
 * series without points). The shard must be closed; reopening replays what is left.
 */
public final class ReplicaLogTruncator {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLogTruncator.class);

    private ReplicaLogTruncator() {}

    /** Whether the shard in {@code dir} can be cut back to {@code lsn} (its parts hold nothing past it). */
    public static boolean canTruncate(Path dir, long lsn) {
        Manifest m = Manifest.open(dir);
        try {
            return m.replica().lastLsn() <= lsn;
        } finally {
            m.close();
        }
    }

    /**
     * Drops every op after {@code lsn} from the closed shard in {@code dir}.
     *
     * @return number of ops dropped
     * @throws IllegalStateException when parts already hold ops after {@code lsn} (see {@link #canTruncate})
     */
    public static long truncate(Path dir, long lsn) {
        long checkpoint;
        Manifest m = Manifest.open(dir);
        try {
            if (m.replica().lastLsn() > lsn) {
                throw new IllegalStateException("cannot truncate the replica log [dir=" + dir + ", to=" + lsn
                        + "]: parts already hold ops up to " + m.replica().lastLsn()
                        + "; the replica needs a full re-sync");
            }
            checkpoint = m.walCheckpoint();
        } finally {
            m.close();
        }
        Path walDir = dir.resolve(ShardFiles.WAL_DIR);
        List<Long> segments = Wal.segments(walDir);
        long dropped = 0;
        boolean cut = false;
        for (long seg : segments) {
            if (seg < checkpoint) {
                continue;
            }
            Path file = Wal.segmentPath(walDir, seg);
            if (cut) {
                dropped += countOps(file);
                delete(file);
                continue;
            }
            long[] cutAt = {-1};
            RecordScanner.scan(file, Wal.MAGIC, 0, (type, in, at) -> {
                if (type == WalRecordType.REPLICATED && in.getVarLong() > lsn) {
                    cutAt[0] = at;
                    return false;
                }
                return true;
            });
            if (cutAt[0] >= 0) {
                cut = true;
                dropped += countOpsFrom(file, cutAt[0]);
                truncateFile(file, cutAt[0]);
            }
        }
        LOG.warn("truncated uncommitted replica-log tail [dir={}, to={}, opsDropped={}]", dir, lsn, dropped);
        return dropped;
    }

    private static long countOps(Path file) {
        return countOpsFrom(file, 0);
    }

    private static long countOpsFrom(Path file, long offset) {
        long[] n = {0};
        RecordScanner.scan(file, Wal.MAGIC, offset, (type, in, at) -> {
            if (type == WalRecordType.REPLICATED) {
                n[0]++;
            }
            return true;
        });
        return n[0];
    }

    private static void truncateFile(Path file, long size) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.force(true);
        } catch (IOException e) {
            throw new StorageIoException("cannot truncate WAL segment [file=" + file + ", size=" + size + "]", e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StorageIoException("cannot delete WAL segment [file=" + file + "]", e);
        }
    }
}
