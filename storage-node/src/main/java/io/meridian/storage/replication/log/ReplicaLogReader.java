package io.meridian.storage.replication.log;

import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.log.RecordScanner;
import io.meridian.storage.shard.WriteBatch;
import io.meridian.storage.txn.WriterSequences;
import io.meridian.storage.wal.Wal;
import io.meridian.storage.wal.WalPartials;
import io.meridian.storage.wal.WalPoints;
import io.meridian.storage.wal.WalRecordType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a shard's replica log out of its WAL segments for followers: finds the segment holding an LSN (the
 * first LSN of each finished segment is cached), scans REPLICATED records from there without disturbing the
 * writer ({@link RecordScanner}), and turns them into self-contained {@link LogOp}s (series ids become keys,
 * field ids names). A {@link Cursor} lets a follower's next fetch continue where the last one ended instead
 * of re-scanning the segment.
 *
 * <p>Thread-safe; several followers read at once.
 */
public final class ReplicaLogReader {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLogReader.class);
    /** Maps the leader's series and field ids back to keys and names. */
    public interface Resolver {
        SeriesKey series(int id);

        FieldSchema.Field field(int id);
    }

    /** Where a read ended: the next op ({@code nextLsn}) starts at or after {@code offset} of {@code segment}. */
    public record Cursor(long segment, long offset, long nextLsn) {}

    /** Ops read, and where to continue. */
    public record Batch(List<LogOp> ops, Cursor next) {}

    private final Path walDir;
    private final Map<Long, Long> firstLsnBySegment = new ConcurrentHashMap<>();

    public ReplicaLogReader(Path walDir) {
        this.walDir = walDir;
    }

    /**
     * @param flushedLsn the last op whose WAL segment a flush may have deleted: an op after it is still in the
     *                   WAL (perhaps not yet handed to the OS), one at or before it may be gone
     */
    public Batch read(long fromLsn, long maxBytes, Cursor hint, long flushedLsn, Supplier<Resolver> resolvers) {
        List<Long> segments = Wal.segments(walDir);
        firstLsnBySegment.keySet().retainAll(segments);
        int index;
        long offset;
        if (hint != null && hint.nextLsn() == fromLsn && segments.contains(hint.segment())) {
            index = segments.indexOf(hint.segment());
            offset = hint.offset();
        } else {
            index = segmentHolding(segments, fromLsn);
            offset = 0;
            if (index < 0) {
                if (fromLsn <= flushedLsn) {
                    throw new LogTrimmedException("replica log no longer holds op " + fromLsn + " [dir=" + walDir
                            + ", flushedUpTo=" + flushedLsn + "]: the follower needs a full re-sync");
                }
                return new Batch(List.of(), hint);
            }
        }
        Resolver resolver = resolvers.get();
        List<LogOp> ops = new ArrayList<>();
        long[] bytes = {0};
        long[] next = {offset};
        long segment = segments.get(index);
        for (int i = index; i < segments.size(); i++) {
            segment = segments.get(i);
            long start = i == index ? offset : 0;
            long end = RecordScanner.scan(Wal.segmentPath(walDir, segment), Wal.MAGIC, start, (type, in, at) -> {
                if (type != WalRecordType.REPLICATED) {
                    return true;
                }
                long lsn = in.getVarLong();
                if (lsn < fromLsn + ops.size()) {
                    return true;
                }
                if (lsn != fromLsn + ops.size()) {
                    throw new LogTrimmedException("replica log no longer holds op " + (fromLsn + ops.size()) + " [dir="
                            + walDir + ", found=" + lsn + "]: the follower needs a full re-sync");
                }
                if (bytes[0] >= maxBytes && !ops.isEmpty()) {
                    return false;
                }
                LogOp op = decode(lsn, in, resolver);
                ops.add(op);
                bytes[0] += op.estimatedBytes();
                return true;
            });
            if (end < 0) {
                break; // deleted under us; the follower asks again
            }
            next[0] = end;
            if (bytes[0] >= maxBytes) {
                break;
            }
            if (i + 1 < segments.size()) {
                next[0] = 0;
            }
        }
        if (ops.isEmpty()) {
            return new Batch(List.of(), new Cursor(segment, next[0], fromLsn));
        }
        return new Batch(
                ops, new Cursor(segment, next[0], ops.get(ops.size() - 1).lsn() + 1));
    }

    /**
     * The index of the last segment whose first op is at or before {@code lsn}; -1 when no segment holds an op
     * yet.
     *
     * @throws LogTrimmedException when the oldest segment starts after {@code lsn}
     */
    private int segmentHolding(List<Long> segments, long lsn) {
        int found = -1;
        boolean any = false;
        for (int i = 0; i < segments.size(); i++) {
            long first = firstLsn(segments.get(i), i == segments.size() - 1);
            if (first < 0) {
                continue;
            }
            if (first > lsn) {
                if (!any) {
                    throw new LogTrimmedException("replica log no longer holds op " + lsn + " [dir=" + walDir
                            + ", oldest=" + first + "]: the follower needs a full re-sync");
                }
                break;
            }
            any = true;
            found = i;
        }
        return found;
    }

    /** The first LSN in a segment, or -1 when it holds no op (yet). Cached once known. */
    private long firstLsn(long segment, boolean current) {
        Long known = firstLsnBySegment.get(segment);
        if (known != null) {
            return known;
        }
        long[] first = {-1};
        RecordScanner.scan(Wal.segmentPath(walDir, segment), Wal.MAGIC, 0, (type, in, at) -> {
            if (type == WalRecordType.REPLICATED) {
                first[0] = in.getVarLong();
                return false;
            }
            return true;
        });
        if (first[0] > 0) {
            firstLsnBySegment.put(segment, first[0]);
        } else if (!current) {
            firstLsnBySegment.put(segment, -1L);
        }
        return first[0];
    }

    /**
     * The oldest WAL segment a flush must keep: the checkpoint's, or an older one that holds {@code neededLsn}
     * (a follower's next op), as long as the kept older segments stay under {@code maxRetainedBytes}. Ops after
     * {@code checkpointLsn} (the position the checkpoint records) are all at or after the checkpoint segment.
     */
    public long retainFrom(long checkpointSegment, long checkpointLsn, long neededLsn, long maxRetainedBytes) {
        if (neededLsn > checkpointLsn) {
            return checkpointSegment; // every needed op is at or after the checkpoint
        }
        List<Long> older =
                Wal.segments(walDir).stream().filter(s -> s < checkpointSegment).toList();
        long keep = checkpointSegment;
        long bytes = 0;
        for (int i = older.size() - 1; i >= 0; i--) {
            long s = older.get(i);
            bytes += sizeOf(s);
            if (bytes > maxRetainedBytes) {
                LOG.warn(
                        "WAL kept for a lagging follower is over its bound; dropping older segments [dir={}, "
                                + "neededLsn={}, limit storage.replication.wal-retention-max={}]: that follower will need a "
                                + "full re-sync",
                        walDir,
                        neededLsn,
                        maxRetainedBytes);
                break;
            }
            keep = s;
            long first = firstLsn(s, false);
            if (first > 0 && first <= neededLsn) {
                break;
            }
        }
        return keep;
    }

    private long sizeOf(long segment) {
        try {
            return Files.size(Wal.segmentPath(walDir, segment));
        } catch (IOException e) {
            return 0;
        }
    }

    private static LogOp decode(long lsn, ByteSource in, Resolver resolver) {
        long epoch = in.getVarLong();
        int type = WalRecordType.readInner(in);
        return switch (type) {
            case WalRecordType.NOOP -> new LogOp(lsn, epoch, LogOp.Kind.NOOP, null, null, 0, null);
            case WalRecordType.POINTS -> new LogOp(lsn, epoch, LogOp.Kind.WRITE, points(in, resolver), null, 0, null);
            case WalRecordType.POINTS_FROM_WRITER -> {
                String writer = WriterSequences.readId(in);
                long sequence = in.getVarLong();
                yield new LogOp(
                        lsn, epoch, LogOp.Kind.WRITE, points(in, resolver).withWriter(writer, sequence), null, 0, null);
            }
            case WalRecordType.STAGED -> {
                String writer = WriterSequences.readId(in);
                long txn = in.getVarLong();
                yield new LogOp(lsn, epoch, LogOp.Kind.STAGE, points(in, resolver), writer, txn, null);
            }
            case WalRecordType.PARTIALS ->
                new LogOp(lsn, epoch, LogOp.Kind.WRITE, partials(in, resolver), null, 0, null);
            case WalRecordType.PARTIALS_FROM_WRITER -> {
                String writer = WriterSequences.readId(in);
                long sequence = in.getVarLong();
                yield new LogOp(
                        lsn,
                        epoch,
                        LogOp.Kind.WRITE,
                        partials(in, resolver).withWriter(writer, sequence),
                        null,
                        0,
                        null);
            }
            case WalRecordType.STAGED_PARTIALS -> {
                String writer = WriterSequences.readId(in);
                long txn = in.getVarLong();
                yield new LogOp(lsn, epoch, LogOp.Kind.STAGE, partials(in, resolver), writer, txn, null);
            }
            case WalRecordType.COMMIT, WalRecordType.ABORT -> {
                String writer = WriterSequences.readId(in);
                long txn = in.getVarLong();
                yield new LogOp(
                        lsn,
                        epoch,
                        type == WalRecordType.COMMIT ? LogOp.Kind.COMMIT : LogOp.Kind.ABORT,
                        null,
                        writer,
                        txn,
                        null);
            }
            case WalRecordType.FIELD_DEF -> {
                FieldSchema.Field f = FieldSchema.decode(in);
                yield new LogOp(
                        lsn,
                        epoch,
                        LogOp.Kind.DECLARE,
                        null,
                        null,
                        0,
                        new LogOp.Declaration(f.metric(), f.name(), f.type()));
            }
            default -> throw in.corrupt("unknown replicated record type " + type);
        };
    }

    private static WriteBatch points(ByteSource in, Resolver resolver) {
        List<WriteBatch.SeriesRows> rows = new ArrayList<>();
        WalPoints.decode(in, (seriesId, fieldIds, ts, values) -> {
            List<String> names = new ArrayList<>(fieldIds.length);
            for (int f : fieldIds) {
                names.add(resolver.field(f).name());
            }
            rows.add(new WriteBatch.SeriesRows(resolver.series(seriesId), names, ts, values));
        });
        return WriteBatch.of(rows);
    }

    private static WriteBatch partials(ByteSource in, Resolver resolver) {
        List<WriteBatch.SeriesPartials> series = new ArrayList<>();
        WalPartials.decode(in, (seriesId, fieldIds, interval, starts, cells) -> {
            List<String> names = new ArrayList<>(fieldIds.length);
            List<FieldType> types = new ArrayList<>(fieldIds.length);
            for (int f : fieldIds) {
                FieldSchema.Field field = resolver.field(f);
                names.add(field.name());
                types.add(field.type());
            }
            series.add(new WriteBatch.SeriesPartials(resolver.series(seriesId), names, types, interval, starts, cells));
        });
        return WriteBatch.ofPartials(series);
    }
}
