/**
 * The storage node process: configuration, composition and the link between metadata and replicas.
 *
 * <pre>
 *   conf/storage.yaml --StorageNodeConfig.load--> StorageNodeConfig (keys: StorageConfigKeys)
 *   StorageMain (picocli) --> StorageNode.start(config, ReplicaControllerFactory)
 *     MetaCache snapshot --> AssignmentWatcher --AssignmentPlanner (pure)--> ReplicaController.reconcile
 *     ReplicaController.status() --ReportAssembler (pure)--> NodeReport --> NodeRegistrar --> etcd
 * </pre>
 *
 * <p>The replica controller is injected: {@link io.meridian.storage.node.StorageMain#CONTROLLER} names the one
 * the process runs: {@link io.meridian.storage.replication.ReplicationController}.
 */
package io.meridian.storage.node;
