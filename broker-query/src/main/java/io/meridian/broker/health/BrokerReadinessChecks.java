package io.meridian.broker.health;

import io.meridian.broker.write.BatchSink;
import io.meridian.meta.cache.MetaCache;
import io.meridian.meta.cache.MetaSnapshot;
import io.meridian.meta.model.NodeRole;
import java.util.Optional;

/**
 * The broker's own conditions of readiness (API.md: ready means it serves DDL, reads and writes):
 * <ol>
 *   <li>{@code metadata}: the metadata cache has read etcd and watches it;</li>
 *   <li>{@code master}: a master broker is elected and has initialized the metadata (the cluster marker), so
 *       DDL is executed instead of answered 503;</li>
 *   <li>{@code storage}: a storage cluster is defined and one of its storage nodes is registered, so
 *       {@code CREATE DATABASE} without {@code clusters} works and shards can be placed;</li>
 *   <li>{@code writes}: the write path is connected (Kafka mode: the ingest topic was looked up).</li>
 * </ol>
 */
public final class BrokerReadinessChecks {
    private BrokerReadinessChecks() {}

    public static void register(Readiness readiness, MetaCache cache, BatchSink writer) {
        readiness.require("metadata", () -> cache.watchedRevision() > 0, "no metadata read from etcd yet");
        readiness.require("master", () -> master(cache.snapshot()));
        readiness.require("storage", () -> storage(cache.snapshot()));
        readiness.require("writes", writer::notReadyReason);
    }

    private static Optional<String> master(MetaSnapshot s) {
        if (s.master() == null) {
            return Optional.of("no master broker elected yet");
        }
        if (s.marker() == null) {
            return Optional.of("the master [" + s.master().nodeId() + "] has not initialized the metadata yet");
        }
        return Optional.empty();
    }

    private static Optional<String> storage(MetaSnapshot s) {
        if (s.clusters().isEmpty()) {
            return Optional.of("no storage cluster is defined yet (POST /api/v1/clusters)");
        }
        boolean node = s.nodes().values().stream()
                .anyMatch(n -> n.role() == NodeRole.STORAGE && s.clusters().containsKey(n.cluster()));
        return node
                ? Optional.empty()
                : Optional.of("no storage node of the clusters " + s.clusters().keySet() + " is registered yet");
    }
}
