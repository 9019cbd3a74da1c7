/**
 * The broker's write path: line protocol to per-shard columnar batches
 * ({@link io.meridian.common.ingest.LineBatcher}), checked whole against
 * {@link io.meridian.common.ingest.BatchRules} ({@link io.meridian.broker.write.CheckedBatchSink}: the whole
 * request or nothing), handed to a {@link io.meridian.broker.write.BatchSink}:
 *
 * <pre>
 *   body --LineBatcher--> ShardBatches --CheckedBatchSink--+-- direct: ShardWriter --gRPC--> shard leaders
 *                                                          |     (retries through failovers, exactly-once lanes)
 *                                                          +-- kafka:  KafkaShardWriter --pb1 records--> ingest topic
 *                                                                (partition = shard mod partitions, acks=all)
 * </pre>
 */
package io.meridian.broker.write;
