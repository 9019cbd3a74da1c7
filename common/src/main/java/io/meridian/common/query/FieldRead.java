package io.meridian.common.query;

import java.util.Objects;

/**
 * One column a leaf reads: a field (or {@link io.meridian.common.model.Names#ROWS}) through a {@link SlotTransform}.
 * A query's leaf request lists each distinct read once, and its result cells name them by index.
 */
public record FieldRead(String field, SlotTransform transform) {
    public FieldRead {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(transform, "transform");
    }

    /** The read of a selection. */
    public static FieldRead of(AggCall call) {
        return new FieldRead(call.field(), call.function().transform());
    }
}
