package io.meridian.connector.flink;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Configures a {@link MeridianSink}. Only the etcd endpoints are required; {@link #build} checks every value and
 * names the setting and the reason when one is wrong.
 *
 * @param <IN> the stream's element type
 */
public final class MeridianSinkBuilder<IN> {
    private final ElementBatcher<IN> batcher;
    private List<String> etcdEndpoints = List.of();
    private String metaRoot = "/meridian";
    private String idc = "default";
    private String sinkId = "meridian-sink";
    private DeliveryGuarantee guarantee;
    private int maxBatchPoints = 20_000;
    private Duration maxBatchDelay = Duration.ofMillis(200);
    private Duration requestTimeout = Duration.ofSeconds(60);

    MeridianSinkBuilder(ElementBatcher<IN> batcher) {
        this.batcher = batcher;
    }

    /** etcd client URLs of the Meridian cluster, e.g. {@code http://127.0.0.1:2379}. Required. */
    public MeridianSinkBuilder<IN> setEtcdEndpoints(String... endpoints) {
        this.etcdEndpoints = Arrays.asList(endpoints);
        return this;
    }

    /** The cluster's key prefix in etcd ({@code meta.root} of the nodes). Default {@code /meridian}. */
    public MeridianSinkBuilder<IN> setMetaRoot(String metaRoot) {
        this.metaRoot = metaRoot;
        return this;
    }

    /** The IDC whose storage cluster receives the writes. Default {@code default}, the standalone IDC. */
    public MeridianSinkBuilder<IN> setIdc(String idc) {
        this.idc = idc;
        return this;
    }

    /**
     * Names this sink's writers on the storage nodes (with a per-run id and the subtask). Two sinks running at
     * the same time must differ. Default {@code meridian-sink}.
     */
    public MeridianSinkBuilder<IN> setSinkId(String sinkId) {
        this.sinkId = sinkId;
        return this;
    }

    /**
     * EXACTLY_ONCE or AT_LEAST_ONCE. Unset: exactly once when the job checkpoints, else at least once. NONE is
     * refused (a Meridian write is always acknowledged).
     */
    public MeridianSinkBuilder<IN> setDeliveryGuarantee(DeliveryGuarantee guarantee) {
        this.guarantee = guarantee;
        return this;
    }

    /** Points buffered per shard before they are sent. Default 20,000. */
    public MeridianSinkBuilder<IN> setMaxBatchPoints(int maxBatchPoints) {
        this.maxBatchPoints = maxBatchPoints;
        return this;
    }

    /** At least once: the longest a point waits in a buffer. Default 200 ms. */
    public MeridianSinkBuilder<IN> setMaxBatchDelay(Duration maxBatchDelay) {
        this.maxBatchDelay = maxBatchDelay;
        return this;
    }

    /** How long one call to a shard may take, retries across a leader change included. Default 60 s. */
    public MeridianSinkBuilder<IN> setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        return this;
    }

    /** @throws IllegalArgumentException naming the setting and the reason */
    public MeridianSink<IN> build() {
        if (etcdEndpoints.isEmpty() || etcdEndpoints.stream().anyMatch(e -> e == null || !e.matches("https?://.+"))) {
            throw new IllegalArgumentException("invalid sink setting [etcdEndpoints=" + etcdEndpoints
                    + "]: want one or more URLs like http://127.0.0.1:2379");
        }
        if (metaRoot == null || !metaRoot.startsWith("/") || metaRoot.endsWith("/") || metaRoot.length() < 2) {
            throw new IllegalArgumentException("invalid sink setting [metaRoot=" + metaRoot
                    + "]: want a path like /meridian (leading '/', no trailing '/')");
        }
        if (idc == null || idc.isBlank()) {
            throw new IllegalArgumentException("invalid sink setting [idc=" + idc + "]: want the IDC name");
        }
        if (sinkId == null || !sinkId.matches("[A-Za-z0-9_.:-]{1,128}")) {
            throw new IllegalArgumentException(
                    "invalid sink setting [sinkId=" + sinkId + "]: want 1-128 of A-Z a-z 0-9 _ . : -");
        }
        if (guarantee == DeliveryGuarantee.NONE) {
            throw new IllegalArgumentException(
                    "invalid sink setting [deliveryGuarantee=NONE]: want EXACTLY_ONCE or" + " AT_LEAST_ONCE");
        }
        if (maxBatchPoints < 1) {
            throw new IllegalArgumentException(
                    "invalid sink setting [maxBatchPoints=" + maxBatchPoints + "]: want >= 1");
        }
        Objects.requireNonNull(maxBatchDelay, "maxBatchDelay");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (maxBatchDelay.isNegative() || maxBatchDelay.isZero() || requestTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("invalid sink setting [maxBatchDelay=" + maxBatchDelay
                    + ", requestTimeout=" + requestTimeout + "]: want a positive delay and a timeout of >= 100 ms");
        }
        return new MeridianSink<>(
                new SinkSettings(
                        etcdEndpoints, metaRoot, idc, sinkId, guarantee, maxBatchPoints, maxBatchDelay, requestTimeout),
                batcher);
    }
}
