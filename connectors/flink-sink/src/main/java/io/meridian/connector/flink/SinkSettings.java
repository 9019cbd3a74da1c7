package io.meridian.connector.flink;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * The sink's configuration, as {@link MeridianSinkBuilder} checked it. Serializable: it ships with the job.
 *
 * @param etcdEndpoints  etcd client URLs of the Meridian cluster's metadata
 * @param metaRoot       the cluster's key prefix in etcd ({@code /meridian} by default)
 * @param idc            the IDC whose storage cluster receives the writes (the database's home cluster there)
 * @param sinkId         names this sink's writers on the storage nodes; unique per concurrently running sink
 * @param guarantee      EXACTLY_ONCE or AT_LEAST_ONCE; null until resolved from the job's checkpointing
 * @param maxBatchPoints a shard's buffered points that are sent (staged or written) at once
 * @param maxBatchDelay  at-least-once: the longest a point waits in a buffer
 * @param requestTimeout how long one call to a shard may take, retries across a failover included
 */
record SinkSettings(
        List<String> etcdEndpoints,
        String metaRoot,
        String idc,
        String sinkId,
        DeliveryGuarantee guarantee,
        int maxBatchPoints,
        Duration maxBatchDelay,
        Duration requestTimeout)
        implements Serializable {
    SinkSettings {
        etcdEndpoints = List.copyOf(etcdEndpoints);
        Objects.requireNonNull(metaRoot, "metaRoot");
        Objects.requireNonNull(idc, "idc");
        Objects.requireNonNull(sinkId, "sinkId");
        Objects.requireNonNull(maxBatchDelay, "maxBatchDelay");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    SinkSettings withGuarantee(DeliveryGuarantee resolved) {
        return new SinkSettings(
                etcdEndpoints, metaRoot, idc, sinkId, resolved, maxBatchPoints, maxBatchDelay, requestTimeout);
    }
}
