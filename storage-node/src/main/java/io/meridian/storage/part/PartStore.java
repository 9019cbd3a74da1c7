package io.meridian.storage.part;

import io.meridian.common.error.CorruptDataException;
import io.meridian.common.error.StorageIoException;
import io.meridian.common.model.IntervalSpec;
import io.meridian.storage.file.FileIo;
import io.meridian.storage.shard.ShardFiles;
import io.meridian.storage.shard.ShardMetrics;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.wal.ReplicaPosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The immutable side of a shard: its live part files, the MANIFEST that names them, the decoded block
 * cache, and the operations that change the set (adding flushed parts, compaction, retention).
 *
 * <p>Threading: the part set is published through a volatile snapshot; every swap happens under the shard's
 * write lock, so that a query, which snapshots and acquires parts under the read lock, never sees a part
 * retired between the two. Callers serialize changes (the shard's maintenance lock).
 */
public final class PartStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartStore.class);

    private final Path dir;
    private final ShardOptions options;
    private final ReadWriteLock shardLock;
    private final ShardMetrics metrics;
    private final Manifest manifest;
    private final BlockCache blockCache;
    private final FileIo io;
    private final Compactor compactor;
    private final AtomicLong partSeq = new AtomicLong();
    private volatile PartSet parts = PartSet.EMPTY;

    /**
     * @param blockCache decoded blocks; the node's, shared by its shards ({@code storage.block-cache.size})
     */
    public PartStore(
            Path dir, ShardOptions options, ReadWriteLock shardLock, ShardMetrics metrics, BlockCache blockCache) {
        this.dir = dir;
        this.options = options;
        this.shardLock = shardLock;
        this.metrics = metrics;
        this.io = options.files();
        this.compactor = new Compactor(io);
        this.manifest = Manifest.open(io, dir);
        this.blockCache = blockCache;
        loadParts();
    }

    /**
     * Opens the parts the MANIFEST names. Unfinished temporary files (a flush or compaction a crash interrupted) are
     * deleted; finished parts it does not name (a crash between a part's rename and its MANIFEST edit, or inputs of
     * a compaction whose edit landed) are moved to {@code quarantine/}, never deleted: Meridian cannot tell them
     * from parts an operator or a damaged MANIFEST lost track of.
     */
    private void loadParts() {
        Set<String> live = manifest.liveParts();
        List<PartReader> readers = new ArrayList<>();
        long maxSeq = 0;
        Path segments = dir.resolve(ShardFiles.SEGMENTS_DIR);
        if (Files.isDirectory(segments)) {
            try (Stream<Path> files = Files.walk(segments)) {
                for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    String rel = relative(p);
                    if (rel.endsWith(ShardFiles.PART_SUFFIX) && live.contains(rel)) {
                        readers.add(PartReader.open(p));
                        maxSeq = Math.max(maxSeq, ShardFiles.partSeq(p));
                    } else if (rel.endsWith(ShardFiles.TEMP_SUFFIX)) {
                        LOG.warn("deleting an unfinished file of an interrupted flush or compaction [file={}]", p);
                        io.delete(p);
                    } else {
                        quarantine(p, rel);
                        if (rel.endsWith(ShardFiles.PART_SUFFIX)) {
                            maxSeq = Math.max(maxSeq, ShardFiles.partSeq(p));
                        }
                    }
                }
            } catch (IOException e) {
                throw new StorageIoException("cannot list parts [dir=" + segments + "]", e);
            }
        }
        for (String rel : live) {
            if (!Files.exists(dir.resolve(rel))) {
                throw new CorruptDataException(rel, 0, "part named in MANIFEST is missing");
            }
        }
        partSeq.set(maxSeq);
        parts = PartSet.EMPTY.with(readers, Set.of());
    }

    /** Moves a file recovery cannot explain to {@code quarantine/<its relative path>}. */
    private void quarantine(Path p, String rel) throws IOException {
        Path target = dir.resolve(ShardFiles.QUARANTINE_DIR).resolve(rel);
        if (Files.exists(target)) {
            target = target.resolveSibling(target.getFileName() + "." + System.currentTimeMillis());
        }
        LOG.warn(
                "moving a file the MANIFEST does not name to quarantine (never deleted by Meridian) [file={}, to={}]",
                p,
                target);
        io.createDirectoriesDurably(target.getParent());
        io.moveDurably(p, target);
    }

    private String relative(Path p) {
        return dir.relativize(p).toString().replace('\\', '/');
    }

    /** Makes the MANIFEST editable (rewritten as one snapshot); the shard calls it once everything else opened. */
    public void startEditing() {
        manifest.startEditing();
    }

    public PartSet snapshot() {
        return parts;
    }

    public BlockCache cache() {
        return blockCache;
    }

    public long nextSeq() {
        return partSeq.incrementAndGet();
    }

    public long walCheckpoint() {
        return manifest.walCheckpoint();
    }

    public Map<String, long[]> writers() {
        return manifest.writers();
    }

    public ReplicaPosition replicaPosition() {
        return manifest.replica();
    }

    /**
     * Makes flushed parts live: one MANIFEST edit carrying the new WAL checkpoint, the writers table and the
     * replica-log position, then {@code publish} runs under the shard's write lock with the opened parts added.
     */
    public void addFlushed(
            List<String> written,
            long walCheckpoint,
            Map<String, long[]> writers,
            ReplicaPosition replica,
            Runnable alsoUnderLock) {
        List<PartReader> readers = new ArrayList<>();
        for (String rel : written) {
            readers.add(PartReader.open(dir.resolve(rel)));
        }
        manifest.edit(walCheckpoint, written, List.of(), writers, replica);
        shardLock.writeLock().lock();
        try {
            parts = parts.with(readers, Set.of());
            alsoUnderLock.run();
        } finally {
            shardLock.writeLock().unlock();
        }
    }

    /**
     * Merges the parts of every (segment, interval) that has at least {@code minParts} of them.
     * @return number of merges done
     */
    public int compact(int minParts) {
        int merges = 0;
        for (Map<Long, List<PartReader>> fams : parts.segments().values()) {
            for (List<PartReader> group : fams.values()) {
                if (group.size() < Math.max(2, minParts)) {
                    continue;
                }
                List<PartReader> inputs = new ArrayList<>(group);
                inputs.sort(Comparator.comparing(PartReader::path));
                PartReader first = inputs.get(0);
                String rel = ShardFiles.partPath(first.segmentStartMs(), first.intervalMs(), nextSeq());
                long started = System.nanoTime();
                try {
                    compactor.merge(inputs, dir.resolve(rel));
                } catch (StorageIoException e) {
                    // nothing changed (the unfinished output is gone): the inputs stay live, the merge is retried
                    throw new PartsNotWrittenException(e);
                }
                replace(List.of(rel), inputs);
                merges++;
                metrics.compacted(System.nanoTime() - started);
                LOG.info(
                        "compacted parts [dir={}, segment={}, interval={}, inputs={}, output={}]",
                        dir,
                        first.segmentStartMs(),
                        first.intervalMs(),
                        inputs.size(),
                        rel);
            }
        }
        return merges;
    }

    /**
     * Drops whole segments of each interval family older than that interval's retention.
     * @return number of parts dropped
     */
    public int applyRetention(long nowMs) {
        List<PartReader> expired = new ArrayList<>();
        for (IntervalSpec spec : options.database().intervals()) {
            long cutoff = nowMs - spec.retention().toMillis();
            for (PartReader p : parts.all()) {
                if (p.intervalMs() == spec.intervalMillis() && p.segmentStartMs() + options.segmentMillis() <= cutoff) {
                    expired.add(p);
                }
            }
        }
        if (!expired.isEmpty()) {
            replace(List.of(), expired);
            LOG.info("retention dropped parts [dir={}, parts={}]", dir, expired.size());
        }
        return expired.size();
    }

    /** Atomically swaps parts: MANIFEST edit, new part set, then the old files go. */
    private void replace(Collection<String> addedRel, List<PartReader> removed) {
        List<PartReader> added = new ArrayList<>();
        for (String rel : addedRel) {
            added.add(PartReader.open(dir.resolve(rel)));
        }
        manifest.edit(0, addedRel, removed.stream().map(p -> relative(p.path())).toList());
        shardLock.writeLock().lock();
        try {
            parts = parts.with(added, new HashSet<>(removed));
        } finally {
            shardLock.writeLock().unlock();
        }
        for (PartReader p : removed) {
            blockCache.invalidate(p);
            p.retire();
            try {
                io.deleteDurably(p.path());
                deleteEmptyParents(p.path().getParent());
            } catch (IOException e) {
                throw new StorageIoException("cannot delete replaced part [file=" + p.path() + "]", e);
            }
        }
    }

    private void deleteEmptyParents(Path d) throws IOException {
        Path stop = dir.resolve(ShardFiles.SEGMENTS_DIR);
        while (d != null && d.startsWith(stop) && !d.equals(stop)) {
            try (Stream<Path> s = Files.list(d)) {
                if (s.findAny().isPresent()) {
                    return;
                }
            }
            io.delete(d);
            d = d.getParent();
        }
    }

    @Override
    public void close() {
        manifest.close();
        parts.all().forEach(blockCache::invalidate); // the cache is the node's: a closed shard frees its share
        parts.all().forEach(PartReader::retire);
    }
}
