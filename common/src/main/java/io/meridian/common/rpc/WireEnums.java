package io.meridian.common.rpc;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.FieldType;
import io.meridian.common.query.SlotTransform;

/**
 * Maps the model's enums onto the proto enums of {@code meridian.storage.v1}. Proto numbers of field types
 * equal {@link FieldType#id()}; aggregates are mapped by name, explicitly (never by ordinal).
 * Unknown or unset wire values are rejected, never defaulted (a newer peer's value must not be misread).
 */
public final class WireEnums {
    private WireEnums() {}

    public static io.meridian.common.rpc.storage.v1.FieldType toWire(FieldType type) {
        return io.meridian.common.rpc.storage.v1.FieldType.forNumber(type.id());
    }

    /** @throws InvalidInputException for UNSPECIFIED or an unknown number, naming {@code where} */
    public static FieldType fromWire(io.meridian.common.rpc.storage.v1.FieldType type, String where) {
        int n = type == io.meridian.common.rpc.storage.v1.FieldType.UNRECOGNIZED ? -1 : type.getNumber();
        if (n <= 0) {
            throw new InvalidInputException("missing or unknown field type [" + where + "]: want one of gauge, sum,"
                    + " min, max, first, last, histogram, counter");
        }
        return FieldType.ofId(n);
    }

    public static io.meridian.common.rpc.storage.v1.Aggregate toWire(Aggregate aggregate) {
        return switch (aggregate) {
            case SUM -> io.meridian.common.rpc.storage.v1.Aggregate.AGGREGATE_SUM;
            case COUNT -> io.meridian.common.rpc.storage.v1.Aggregate.AGGREGATE_COUNT;
            case MIN -> io.meridian.common.rpc.storage.v1.Aggregate.AGGREGATE_MIN;
            case MAX -> io.meridian.common.rpc.storage.v1.Aggregate.AGGREGATE_MAX;
            case AVG -> io.meridian.common.rpc.storage.v1.Aggregate.AGGREGATE_AVG;
            case FIRST -> io.meridian.common.rpc.storage.v1.Aggregate.AGGREGATE_FIRST;
            case LAST -> io.meridian.common.rpc.storage.v1.Aggregate.AGGREGATE_LAST;
        };
    }

    /** @throws InvalidInputException for UNSPECIFIED or an unknown number, naming {@code where} */
    public static Aggregate fromWire(io.meridian.common.rpc.storage.v1.Aggregate aggregate, String where) {
        return switch (aggregate) {
            case AGGREGATE_SUM -> Aggregate.SUM;
            case AGGREGATE_COUNT -> Aggregate.COUNT;
            case AGGREGATE_MIN -> Aggregate.MIN;
            case AGGREGATE_MAX -> Aggregate.MAX;
            case AGGREGATE_AVG -> Aggregate.AVG;
            case AGGREGATE_FIRST -> Aggregate.FIRST;
            case AGGREGATE_LAST -> Aggregate.LAST;
            case AGGREGATE_UNSPECIFIED, UNRECOGNIZED ->
                throw new InvalidInputException("missing or unknown aggregate [" + where
                        + "]: want one of sum, count, min, max, avg, first, last");
        };
    }

    public static io.meridian.common.rpc.storage.v1.SlotTransform toWire(SlotTransform transform) {
        return switch (transform) {
            case NONE -> io.meridian.common.rpc.storage.v1.SlotTransform.SLOT_TRANSFORM_NONE;
            case MOMENTS -> io.meridian.common.rpc.storage.v1.SlotTransform.SLOT_TRANSFORM_MOMENTS;
            case COUNTER_INCREASE -> io.meridian.common.rpc.storage.v1.SlotTransform.SLOT_TRANSFORM_COUNTER_INCREASE;
        };
    }

    /** @throws InvalidInputException for an unknown number (a newer peer's transform), naming {@code where} */
    public static SlotTransform fromWire(io.meridian.common.rpc.storage.v1.SlotTransform transform, String where) {
        return switch (transform) {
            case SLOT_TRANSFORM_NONE -> SlotTransform.NONE;
            case SLOT_TRANSFORM_MOMENTS -> SlotTransform.MOMENTS;
            case SLOT_TRANSFORM_COUNTER_INCREASE -> SlotTransform.COUNTER_INCREASE;
            case UNRECOGNIZED ->
                throw new InvalidInputException(
                        "unknown slot transform [" + where
                                + "]: want one of none, moments, counter_increase (this storage node may be older than the broker)");
        };
    }
}
