/**
 * Harness for multi-process tests: {@link io.meridian.it.harness.MeridianCluster} (etcd child process, in-JVM
 * master, storage node JVMs) created per test by {@link io.meridian.it.harness.ClusterExtension}, and
 * {@link io.meridian.it.harness.StorageNodeProcess} with the faults a test injects (kill -9, SIGSTOP/SIGCONT,
 * SIGTERM, restart on the same data directory); {@link io.meridian.it.harness.FlinkSessionCluster} (a Flink
 * JobManager and TaskManager as {@link io.meridian.it.harness.JvmProcess}es). Waits are bounded conditions, never
 * sleeps. See it/README.md.
 */
package io.meridian.it.harness;
