/**
 * The broker's HTTP API (API.md "HTTP") on netty.
 *
 * <pre>
 *   netty: HttpServerCodec -> HttpContentDecompressor -> JsonHttpObjectAggregator (413 as JSON) -> HttpRouter
 *   HttpRouter: HttpRoutes.match(method, path) -> ApiHandler on the worker pool -> ApiResponse
 *                                               -> BrokerMetrics (requests by endpoint and status)
 *   routes (BrokerApi.register):
 *     GET  /health/live, /health/ready                   Readiness (503 naming what it waits for)
 *     POST /api/v1/write, /write                         WriteEndpoint -> LineBatcher -> BatchSink
 *     POST/GET /api/v1/databases, GET/DELETE .../{db}    DatabasesEndpoint (DDL via MasterGateway: local
 *                                                          master, or forwarded to the master broker)
 *     POST /api/v1/databases/{db}/metrics/{metric}       MetricFieldsEndpoint -> FieldDeclarer (shard leaders)
 *     GET  /api/v1/cluster                               ClusterEndpoint (the metadata cache's view)
 *     GET  /metrics                                      Prometheus text from the node's registry
 *     + routes added by BrokerNode: POST /api/v1/sql (SqlEndpoint), /avatica (JDBC), /query (InfluxQL)
 * </pre>
 *
 * <p>Errors are always {@code {"error": "<what and where>"}} with the stable error code's HTTP status.
 */
package io.meridian.broker.http;
