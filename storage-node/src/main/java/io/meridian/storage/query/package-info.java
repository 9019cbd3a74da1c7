/**
 * The leaf query contract: {@link io.meridian.storage.query.LeafQuery} in, mergeable
 * {@link io.meridian.storage.query.LeafResult} out (ARCHITECTURE §4).
 *
 * <pre>
 * predicate -> series bitmap -> choose family (coarsest interval aligned with bucket and range)
 *   -> for each segment in range: parts' blocks + memtable points -> (group, bucket, field) AggState
 * </pre>
 */
package io.meridian.storage.query;
