package io.meridian.connector.flink;

import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * A partial aggregate as a user's job hands it to {@link MeridianSink#forPartials}: what the job itself folded of
 * one field of one series in one slot (a keyed window, for instance). Storage merges it exactly like the points it
 * folds, so the job's own windows and raw points of the same slot add up.
 *
 * @param metric      the metric: {@code [A-Za-z_][A-Za-z0-9_.:-]{0,127}}
 * @param tags        tag key to value; the key set identifies the series (may be empty)
 * @param field       the field
 * @param type        the type it was folded as; must be the field's declared type (gauge when never declared), and
 *                    histogram fields carry their buckets ({@link AggState#observe})
 * @param slotStartMs the slot's start, a multiple of {@code intervalMs}
 * @param intervalMs  the slot's width: the database's base interval, or a width that divides it
 * @param state       the merge of the slot's points ({@link AggState#add}): count, sum, min, max, first and last
 *                    with their times inside the slot
 */
public record MeridianPartial(
        String metric,
        Map<String, String> tags,
        String field,
        FieldType type,
        long slotStartMs,
        long intervalMs,
        AggState state)
        implements Serializable {
    public MeridianPartial {
        Objects.requireNonNull(metric, "metric");
        tags = Map.copyOf(Objects.requireNonNull(tags, "tags"));
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(state, "state");
    }
}
