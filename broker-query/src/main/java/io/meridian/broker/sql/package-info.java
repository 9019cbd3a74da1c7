/**
 * SQL on the broker: the catalog the SQL planner reads (databases from the metadata, metrics, tags and fields
 * from the storage nodes, cached; tag values from every cluster of a database when asked, other IDCs' through
 * their brokers' {@link io.meridian.broker.sql.BrokerCatalogService}) and the {@code POST /api/v1/sql} endpoint.
 *
 * <pre>
 * information_schema.tag_values ─► StorageCatalog.tagValues ─► TagValueReader
 *   ├─ cluster of this IDC     ─► StorageService.ListTagValues, one replica per shard
 *   └─ cluster of another IDC  ─► BrokerCatalogService.ClusterTagValues on a broker there ─► (the same, there)
 * </pre>
 */
package io.meridian.broker.sql;
