/**
 * Distributed query execution (ARCHITECTURE §6, §8). A {@link io.meridian.common.query.QuerySpec} runs as three
 * kinds of fragments:
 * <ul>
 *   <li><b>leaf</b>: the storage node's leaf query, one per shard, returning mergeable partial aggregates per
 *       (group, bucket, field);</li>
 *   <li><b>intermediate</b>: one per storage cluster, run by a broker of that cluster's IDC
 *       ({@link io.meridian.broker.query.ClusterFanout}), merging its shards' partials; served to other
 *       brokers by {@link io.meridian.broker.query.BrokerQueryService};</li>
 *   <li><b>root</b>: the broker the client asked ({@link io.meridian.broker.query.DistributedQueryExecutor}),
 *       merging the IDCs' partials and finishing: aggregates from states, ORDER BY, LIMIT.</li>
 * </ul>
 * Partials travel in one format at every level (the leaf result chunk of storage.proto), so merging is the
 * same code everywhere ({@link io.meridian.common.query.PartialTable}, on the wire {@link io.meridian.common.rpc.PartialTableCodec}). A leaf answers only the part of the range
 * its data can be in (a window on the query's bucket grid), so partials merge by bucket time over the union of
 * their windows, and the result's {@code ts} comes from that window.
 */
package io.meridian.broker.query;
