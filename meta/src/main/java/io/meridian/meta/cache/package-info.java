/**
 * What every node keeps locally: a watch-fed, never-blocking copy of the metadata, persisted to disk.
 *
 * <pre>
 *   etcd {root}/ --PrefixWatch--> MetaCache --decode (SnapshotDecoder)--> MetaSnapshot (immutable, volatile)
 *                                     |                                      |-> RoutingTable (db, shard) -> leader address + epoch
 *                                     |                                      |-> listeners (a storage node learns its shard roles)
 *                                     +--> SnapshotFile (atomic rename) ---> read back at start, so a node serves while etcd is down
 * </pre>
 *
 * <p>When etcd comes back empty (wiped), the watch resets to nothing. The cache then keeps serving its last
 * snapshot until the master has rebuilt the metadata (the cluster marker reappears), instead of dropping every
 * route.
 */
package io.meridian.meta.cache;
