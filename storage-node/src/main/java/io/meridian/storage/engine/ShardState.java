package io.meridian.storage.engine;

import io.meridian.common.error.StorageIoException;
import io.meridian.common.io.FileTrees;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.PostingsIndex;
import io.meridian.storage.index.SeriesDictionary;
import io.meridian.storage.memtable.MemTableWriter;
import io.meridian.storage.memtable.MemTables;
import io.meridian.storage.part.BlockCache;
import io.meridian.storage.part.PartStore;
import io.meridian.storage.shard.ShardFiles;
import io.meridian.storage.shard.ShardMetrics;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.txn.StagedTransactions;
import io.meridian.storage.txn.WriterSequences;
import io.meridian.storage.wal.OpLog;
import io.meridian.storage.wal.ReplicaPosition;
import io.meridian.storage.wal.Wal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The state of one open shard that {@link Shard} and its steps ({@link SeriesResolver}, {@link TransactionOps},
 * {@link ReplicatedOps}, {@link MemTableFlush}, the leaf query planner) share, recovered from the shard's files by
 * {@link #open}: series dictionary, postings, field schema, parts, writers, staged transactions, memtables, the
 * replica position and the WAL with its op log.
 *
 * <p><b>The locking rule</b>, for everything here:
 * <ul>
 *   <li>{@link #lock}'s write lock guards every mutation of the dictionary, postings, schema, writers, staged
 *       transactions, memtables, replica position and op log (appending to the WAL's buffer included). A write
 *       takes it to validate-and-apply, then waits for the WAL's group commit without it.</li>
 *   <li>Its read lock is held by readers of that state: metadata reads, a query's planning and its memtable fold
 *       (the acquired, immutable parts are folded after it is released), statistics.</li>
 *   <li>{@link #maintenanceLock} serializes flush, compaction, retention and snapshot pins; each takes the write
 *       lock only for its short critical sections (freezing a memtable, publishing a part set). Taken before the
 *       write lock, never after it.</li>
 *   <li>Published part sets, parts and frozen memtables are immutable: readers that acquired them need no lock.</li>
 * </ul>
 */
final class ShardState {
    final Path dir;
    final ShardOptions options;
    final ShardMetrics metrics;
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    final ReentrantLock maintenanceLock = new ReentrantLock();
    final SeriesDictionary dictionary;
    final FieldSchema schema;
    final PostingsIndex postings = new PostingsIndex();
    final PartStore partStore;
    final WriterSequences writerSequences;
    final StagedTransactions staged;
    final MemTables memTables;
    final MemTableWriter memTableWriter;
    final ReplicaPosition position;
    final Wal wal;
    final OpLog opLog;
    /** WAL records replayed at open. */
    final long replayed;

    private ShardState(Path dir, ShardOptions options, ShardMetrics metrics, BlockCache blockCache) {
        this.dir = dir;
        this.options = options;
        this.metrics = metrics;
        try {
            options.files().createDirectoriesDurably(dir);
            FileTrees.delete(dir.resolve(ShardFiles.SNAPSHOTS_DIR)); // pins of transfers the last run did not finish
        } catch (IOException e) {
            throw new StorageIoException("cannot create shard directory [dir=" + dir + "]", e);
        }
        this.memTables = new MemTables(options.database().intervals().get(0).intervalMillis());
        this.staged = new StagedTransactions(options.clock());
        this.dictionary = SeriesDictionary.open(dir, options.files());
        this.schema = FieldSchema.open(dir, options.files());
        for (int id = 0; id < dictionary.nextId(); id++) {
            if (dictionary.keyBytes(id) != null) {
                postings.add(id, dictionary.key(id));
            }
        }
        this.partStore = new PartStore(dir, options, lock, metrics, blockCache);
        this.writerSequences = WriterSequences.fromManifest(partStore.writers());
        this.position = partStore.replicaPosition();
        this.memTableWriter = new MemTableWriter(memTables, writerSequences, staged, metrics, options.clock());
        WalReplayer replayer = new WalReplayer(this);
        long[] records = new long[1];
        this.wal = Wal.open(
                options.files(),
                dir.resolve(ShardFiles.WAL_DIR),
                options.walFsync(),
                options.walSegmentBytes(),
                partStore.walCheckpoint(),
                (type, in) -> {
                    replayer.replay(type, in);
                    records[0]++;
                });
        this.replayed = records[0];
        this.opLog = new OpLog(wal, position, schema);
    }

    /** Recovers a shard's state from the files in {@code dir} (creating it when empty). */
    static ShardState open(Path dir, ShardOptions options, ShardMetrics metrics, BlockCache blockCache) {
        return new ShardState(dir, options, metrics, blockCache);
    }
}
