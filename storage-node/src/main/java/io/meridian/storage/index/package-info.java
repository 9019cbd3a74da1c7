/**
 * Per-shard indexes: the persistent {@link io.meridian.storage.index.SeriesDictionary} (series key ->
 * dense id), the {@link io.meridian.storage.index.PostingsIndex} (tag -> RoaringBitmap of series ids) and
 * the {@link io.meridian.storage.index.FieldSchema} (metric fields with their types).
 *
 * <pre>
 * WHERE host='a' AND dc IN ('x','y') AND NOT rack ~ 'r1.*'
 *   -> metric bitmap AND postings(host=a) AND (postings(dc=x) OR postings(dc=y)) ANDNOT regex(rack)
 * </pre>
 */
package io.meridian.storage.index;
