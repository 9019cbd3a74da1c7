/**
 * Helpers for Meridian's internal gRPC contracts (the {@code .proto} files in {@code src/main/proto}; the
 * generated code lives in {@code io.meridian.common.rpc.storage.v1}). Both sides of a call use them.
 *
 * <pre>
 * MeridianException --RpcErrors.toStatus--> gRPC status + trailers (meridian-error-code, meridian-retriable)
 *                   <--RpcErrors.fromStatus--
 * AggState          <--AggStateCodec-->      PartialAgg (+ HistogramBuckets)
 * long[] timestamps <--TimestampDeltas-->    SeriesRows.timestamp_deltas
 * FieldType, Aggregate <--WireEnums-->       proto enums
 * TagCondition      <--TagConditionCodec-->  TagFilter
 * </pre>
 *
 * <p>Versioning: a contract lives in a package per major version ({@code meridian.storage.v1}); additive
 * changes get a revision line in the proto's version log and bump {@link io.meridian.common.rpc.StorageRpc#PROTOCOL_REVISION}.
 */
package io.meridian.common.rpc;
