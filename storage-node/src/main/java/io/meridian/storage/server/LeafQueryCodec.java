package io.meridian.storage.server;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.Names;
import io.meridian.common.query.SlotTransform;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.storage.query.LeafQuery;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The wire's {@link LeafQueryRequest} to and from the engine's {@link LeafQuery} (the shard reference
 * and the chunk size are the caller's business). Field and group-by names are checked here, the rest by
 * {@link LeafQuery}'s constructor.
 */
public final class LeafQueryCodec {
    private LeafQueryCodec() {}

    /** @throws InvalidInputException naming the request field at fault */
    public static LeafQuery decode(LeafQueryRequest r) {
        if (r.getMetric().isEmpty()) {
            throw new InvalidInputException("missing metric [field=metric]");
        }
        if (!r.hasFilter()) {
            throw new InvalidInputException(
                    "missing tag filter [field=filter, metric=" + r.getMetric() + "]: use match_all for every series");
        }
        if (r.getFieldsCount() == 0) {
            throw new InvalidInputException(
                    "missing fields [field=fields, metric=" + r.getMetric() + "]: want at least one field");
        }
        names("fields", r.getFieldsList(), r.getTransformsCount() > 0);
        names("group_by", r.getGroupByList(), false);
        if (r.getTransformsCount() > 0 && r.getTransformsCount() != r.getFieldsCount()) {
            throw new InvalidInputException("invalid transforms [field=transforms, metric=" + r.getMetric() + "]: got "
                    + r.getTransformsCount() + " for " + r.getFieldsCount() + " fields; want none or one per field");
        }
        List<SlotTransform> transforms = new ArrayList<>();
        for (int i = 0; i < r.getTransformsCount(); i++) {
            transforms.add(WireEnums.fromWire(r.getTransforms(i), "field=transforms[" + i + "]"));
        }
        Set<Aggregate> aggregates = EnumSet.noneOf(Aggregate.class);
        for (int i = 0; i < r.getAggregatesCount(); i++) {
            aggregates.add(WireEnums.fromWire(r.getAggregates(i), "field=aggregates[" + i + "]"));
        }
        return new LeafQuery(
                r.getMetric(),
                TagFilterCodec.decode(r.getFilter()),
                r.getStartMs(),
                r.getEndMs(),
                r.getBucketMs(),
                r.getGroupByList(),
                r.getFieldsList(),
                aggregates,
                transforms,
                r.getRowsExistOnly(),
                r.getSelectorTimes());
    }

    /** @param repeatable whether a name may repeat (fields read through different transforms: LeafQuery checks) */
    private static void names(String what, List<String> names, boolean repeatable) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            String reason = what.equals("fields") && n.equals(Names.ROWS) ? null : Names.invalidReason(n);
            if (reason != null) {
                throw new InvalidInputException(
                        ErrorCode.INVALID_NAME,
                        "invalid name [field=" + what + "[" + i + "], name=" + n + "]: " + reason);
            }
            if (!seen.add(n) && !repeatable) {
                throw new InvalidInputException("duplicate name [field=" + what + "[" + i + "], name=" + n + "]");
            }
        }
    }

    /** Encodes an engine query for the given shard reference's request. */
    public static LeafQueryRequest.Builder encode(LeafQuery q) {
        LeafQueryRequest.Builder b = LeafQueryRequest.newBuilder()
                .setMetric(q.metric())
                .setFilter(TagFilterCodec.encode(q.predicate()))
                .setStartMs(q.startMs())
                .setEndMs(q.endMs())
                .setBucketMs(q.bucketMs())
                .addAllGroupBy(q.groupBy())
                .addAllFields(q.fields());
        if (q.transformsSlots()) {
            q.transforms().forEach(t -> b.addTransforms(WireEnums.toWire(t)));
        }
        if (!q.aggregates().equals(EnumSet.allOf(Aggregate.class))) {
            q.aggregates().stream().sorted().forEach(a -> b.addAggregates(WireEnums.toWire(a)));
        }
        return b.setRowsExistOnly(q.rowsExistOnly()).setSelectorTimes(q.selectorTimes());
    }
}
