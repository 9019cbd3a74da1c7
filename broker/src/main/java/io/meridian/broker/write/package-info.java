/**
 * The broker's write path in direct mode: line protocol to per-shard columnar batches
 * ({@link io.meridian.broker.write.LineBatcher}), sent to the shard leaders with retries through failovers and
 * exactly-once lanes ({@link io.meridian.broker.write.ShardWriter}).
 */
package io.meridian.broker.write;
