package io.meridian.storage.replication.log;

import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.SeriesDictionary;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * Resolves the series and field ids of WAL records to keys and names while the replica log is read for a
 * follower, each look-up under the shard's read lock (the log is read without it).
 *
 * <p>Thread-safe: takes the shard's read lock itself.
 */
public final class ReplicaLogResolver implements ReplicaLogReader.Resolver {
    private final ReadWriteLock lock;
    private final SeriesDictionary dictionary;
    private final FieldSchema schema;

    public ReplicaLogResolver(ReadWriteLock lock, SeriesDictionary dictionary, FieldSchema schema) {
        this.lock = lock;
        this.dictionary = dictionary;
        this.schema = schema;
    }

    @Override
    public SeriesKey series(int id) {
        lock.readLock().lock();
        try {
            return dictionary.key(id);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public FieldSchema.Field field(int id) {
        lock.readLock().lock();
        try {
            return schema.byId(id);
        } finally {
            lock.readLock().unlock();
        }
    }
}
