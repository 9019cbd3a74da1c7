/**
 * What every part of a shard's engine shares, below all of them: {@link io.meridian.storage.shard.ShardOptions}
 * (typed settings), {@link io.meridian.storage.shard.ShardFiles} (every file name of a shard directory),
 * {@link io.meridian.storage.shard.ShardMetrics}, {@link io.meridian.storage.shard.ShardStats} and the write unit
 * {@link io.meridian.storage.shard.WriteBatch}. Nothing here knows the WAL, the memtables or the parts.
 */
package io.meridian.storage.shard;
