/**
 * Running a real etcd server as a child process.
 *
 * <p>{@link io.meridian.meta.etcd.EtcdProcess} starts the Debian {@code etcd-server} binary
 * ({@code /usr/bin/etcd}, override with {@code -Detcd.binary=...} or {@code ETCD_BINARY}) on free loopback
 * ports with its own data directory. Tests use it through a JUnit extension; the standalone launcher uses
 * it to bring its own etcd.
 *
 * <pre>
 *   EtcdProcess.start(options) --spawn--> /usr/bin/etcd --data-dir D --listen-client-urls http://127.0.0.1:P
 *          |                                   |
 *          +---- poll GET /health until {"health":"true"}
 *   stop(): SIGTERM, wait, destroyForcibly; a JVM shutdown hook does the same if the JVM dies first
 *   restart(): same ports and data dir (clients reconnect to the same endpoint)
 *   wipe(): delete the data dir (the next start() is an empty etcd)
 * </pre>
 */
package io.meridian.meta.etcd;
