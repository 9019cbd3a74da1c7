/**
 * Cutting writes into per-shard columnar batches ({@link io.meridian.common.ingest.LineBatcher} turns line
 * protocol into one {@code PointBatch} per shard by the documented series hash). Shared by the broker's write
 * endpoint and the Flink ingest job, so both shard and validate a line exactly the same way.
 * {@link io.meridian.common.ingest.BatchRules} is the one rule set every such batch obeys, checked by the broker,
 * the ingest job and the storage node. A batch of per-slot partial aggregates instead of rows (storage.proto
 * revision 6, {@code PointBatch.partials}) obeys {@link io.meridian.common.ingest.PartialRules}, and
 * {@link io.meridian.common.ingest.SeriesPartialsCodec} turns one series' {@code AggState}s into its wire form and
 * back.
 */
package io.meridian.common.ingest;
