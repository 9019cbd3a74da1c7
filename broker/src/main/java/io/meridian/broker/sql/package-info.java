/**
 * SQL on the broker: the catalog the SQL planner reads (databases from the metadata, metrics, tags and fields
 * from the storage nodes, cached) and the {@code POST /api/v1/sql} endpoint.
 */
package io.meridian.broker.sql;
