/**
 * The cluster model: immutable records stored in etcd as versioned JSON.
 *
 * <pre>
 *   StorageCluster(name, idc)                         one per IDC; groups storage nodes
 *   NodeInfo(id, role, host, ports, idc, cluster, version, startTime)   live while its lease lives
 *   DatabaseConfig(name, shards, replicas, writeConcern, intervals, clusters)
 *   ShardState(db, cluster, shard, replicas, leader, epoch, inSync, lastSeq)   one per (db, cluster, shard)
 *   NodeReport(nodeId, databases, replicas)           what a node holds; used to heal a wiped etcd
 *   ClusterMarker / MasterInfo                        bookkeeping keys
 * </pre>
 *
 * <p>{@link io.meridian.meta.model.ModelCodec} writes every value as a JSON object whose first field is
 * {@code "v"}, the format version ({@link io.meridian.meta.model.ModelCodec#VERSION_1}).
 */
package io.meridian.meta.model;
