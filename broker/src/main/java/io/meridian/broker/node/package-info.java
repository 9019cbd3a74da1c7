/**
 * The broker process: typed configuration ({@link io.meridian.broker.node.BrokerConfigKeys},
 * {@link io.meridian.broker.node.BrokerNodeConfig}), the composition root ({@link io.meridian.broker.node.BrokerNode})
 * and the command line ({@link io.meridian.broker.node.BrokerMain}). Components such as the query engine plug in
 * through {@link io.meridian.broker.node.BrokerExtension} (gRPC services and HTTP routes).
 *
 * <pre>
 *   BrokerMain --config--> BrokerNodeConfig --> BrokerNode.start(config, extension | services)
 *       MetaStore -> MetaCache -> ShardWriter/FieldDeclarer -> gRPC server -> HTTP server -> MasterService
 *       -> NodeRegistrar (role broker, bound ports)
 * </pre>
 */
package io.meridian.broker.node;
