/**
 * The broker process: typed configuration ({@link io.meridian.broker.node.BrokerConfigKeys},
 * {@link io.meridian.broker.node.BrokerNodeConfig}), the composition root ({@link io.meridian.broker.node.BrokerNode})
 * and the command line ({@link io.meridian.broker.node.BrokerMain}). An embedder (standalone) adds gRPC services
 * and readiness checks ({@link io.meridian.broker.health.Readiness}) of the components it starts itself.
 *
 * <pre>
 *   BrokerMain --config--> BrokerNodeConfig --> BrokerNode.start(config, services[, readiness])
 *       MetaStore -> MetaCache -> ShardWriter/FieldDeclarer -> gRPC server -> HTTP server -> MasterService
 *       -> NodeRegistrar (role broker, bound ports)
 * </pre>
 */
package io.meridian.broker.node;
