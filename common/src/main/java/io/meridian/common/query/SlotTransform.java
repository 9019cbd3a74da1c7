package io.meridian.common.query;

/**
 * How a leaf turns one series' slots of a field into the values it folds into a (group, bucket) state, for the
 * functions that need a series' slots in time order rather than its points in any order. A leaf reads each
 * (field, transform) pair once; the wire names it in {@code LeafQueryRequest.transforms} (storage.proto revision 5).
 */
public enum SlotTransform {
    /** The slots' partial states as stored, merged in any order: every function that is exact on raw points. */
    NONE,
    /**
     * Each slot's value (the field type's slot value: what a plain SELECT shows) folded with
     * {@link io.meridian.common.model.AggState#addMoment}: the count, sum and sum of squared deviations STDDEV and
     * VARIANCE read.
     */
    MOMENTS,
    /**
     * A cumulative counter made into increments, per series in time order: each slot contributes the increase from
     * the previous slot's last value to its own first value, plus the increase inside it (a value lower than the one
     * before it is a reset: the counter restarted from 0, so the increase is the value itself). The states are then
     * sums of increments, as a {@code sum} field's are.
     */
    COUNTER_INCREASE
}
