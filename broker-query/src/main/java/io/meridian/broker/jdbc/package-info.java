/**
 * JDBC on the broker: Avatica's remote protocol (protobuf) served on the broker's own HTTP port at
 * {@code POST /avatica}, over Calcite connections of the SQL engine. The driver is {@code connectors/jdbc}.
 */
package io.meridian.broker.jdbc;
