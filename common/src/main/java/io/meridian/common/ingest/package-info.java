/**
 * Cutting writes into per-shard columnar batches ({@link io.meridian.common.ingest.LineBatcher} turns line
 * protocol into one {@code PointBatch} per shard by the documented series hash). Shared by the broker's write
 * endpoint and the Flink ingest job, so both shard and validate a line exactly the same way.
 * {@link io.meridian.common.ingest.BatchRules} is the one rule set every such batch obeys, checked by the broker,
 * the ingest job and the storage node.
 */
package io.meridian.common.ingest;
