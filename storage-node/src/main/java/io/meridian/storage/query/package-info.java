/**
 * The leaf query: {@link io.meridian.storage.query.LeafQuery} in, mergeable
 * {@link io.meridian.common.query.PartialTable} out (ARCHITECTURE §4). {@link io.meridian.storage.query.LeafQueryPlanner}
 * picks the family and narrows the range to its {@link io.meridian.storage.query.DataSpan};
 * {@link io.meridian.storage.query.LeafAggregator} folds memtables and parts into the result.
 *
 * <pre>
 * choose family (coarsest interval aligned with bucket and range)
 *   -> narrow the range to the family's data span, on the bucket grid (LeafQuery.within) -> bucket bound
 *   -> predicate -> series bitmap
 *   -> for each segment in range: parts' blocks + memtable points -> (group, bucket, field) AggState
 * </pre>
 *
 * <p>A result's window (start, buckets) is the narrowed range, so results of one query from different shards
 * may have different windows on the same bucket grid; {@link io.meridian.common.query.PartialTable#merge} and the
 * broker's merge widen to their union.
 */
package io.meridian.storage.query;
