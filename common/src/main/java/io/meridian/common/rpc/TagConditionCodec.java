package io.meridian.common.rpc;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.query.TagCondition;
import io.meridian.common.rpc.storage.v1.TagFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link TagCondition} to and from the wire's {@link TagFilter}, node for node: a decoded condition equals the
 * encoded one, and an encoded condition is the message a hand-built filter of the same shape is. An unset or
 * unknown kind is rejected when decoding: reading a newer peer's filter as "every series" would widen the query.
 */
public final class TagConditionCodec {
    private TagConditionCodec() {}

    public static TagFilter toWire(TagCondition c) {
        TagFilter.Builder b = TagFilter.newBuilder();
        if (c instanceof TagCondition.All) {
            b.setMatchAll(TagFilter.MatchAll.getDefaultInstance());
        } else if (c instanceof TagCondition.Eq e) {
            b.setEq(TagFilter.Eq.newBuilder().setKey(e.key()).setValue(e.value()));
        } else if (c instanceof TagCondition.In in) {
            b.setInSet(TagFilter.InSet.newBuilder().setKey(in.key()).addAllValues(in.values()));
        } else if (c instanceof TagCondition.Prefix p) {
            b.setPrefix(TagFilter.Prefix.newBuilder().setKey(p.key()).setPrefix(p.prefix()));
        } else if (c instanceof TagCondition.Regex r) {
            b.setRegex(TagFilter.Regex.newBuilder().setKey(r.key()).setPattern(r.pattern()));
        } else if (c instanceof TagCondition.Not n) {
            b.setNegation(TagFilter.Negation.newBuilder().setInner(toWire(n.inner())));
        } else if (c instanceof TagCondition.And and) {
            b.setConjunction(TagFilter.Conjunction.newBuilder().addAllParts(toWire(and.parts())));
        } else if (c instanceof TagCondition.Or or) {
            b.setDisjunction(TagFilter.Disjunction.newBuilder().addAllParts(toWire(or.parts())));
        } else {
            throw new IllegalStateException(
                    "BUG: unknown tag condition " + c.getClass().getName());
        }
        return b.build();
    }

    /**
     * @param where names the filter in error messages, e.g. {@code "filter"}; a nested node is named by its path
     *              under it, e.g. {@code filter.conjunction.parts[1].negation.inner}
     * @throws InvalidInputException for an unset kind, an empty conjunction or disjunction, or a tree deeper than
     *                               {@link StorageRpc#MAX_FILTER_DEPTH}, naming the node
     */
    public static TagCondition fromWire(TagFilter f, String where) {
        return fromWire(f, where, 1);
    }

    private static TagCondition fromWire(TagFilter f, String where, int depth) {
        if (depth > StorageRpc.MAX_FILTER_DEPTH) {
            throw new InvalidInputException(
                    "tag filter too deep [" + where + "]: want at most " + StorageRpc.MAX_FILTER_DEPTH + " levels");
        }
        return switch (f.getKindCase()) {
            case MATCH_ALL -> TagCondition.all();
            case EQ -> new TagCondition.Eq(f.getEq().getKey(), f.getEq().getValue());
            case IN_SET ->
                new TagCondition.In(f.getInSet().getKey(), f.getInSet().getValuesList());
            case PREFIX ->
                new TagCondition.Prefix(f.getPrefix().getKey(), f.getPrefix().getPrefix());
            case REGEX ->
                new TagCondition.Regex(f.getRegex().getKey(), f.getRegex().getPattern());
            case NEGATION ->
                new TagCondition.Not(fromWire(f.getNegation().getInner(), where + ".negation.inner", depth + 1));
            case CONJUNCTION ->
                new TagCondition.And(fromWire(f.getConjunction().getPartsList(), where + ".conjunction", depth));
            case DISJUNCTION ->
                new TagCondition.Or(fromWire(f.getDisjunction().getPartsList(), where + ".disjunction", depth));
            case KIND_NOT_SET ->
                throw new InvalidInputException("missing or unknown tag filter kind [" + where
                        + "]: want one of match_all, eq, in_set, prefix, regex, negation, conjunction, disjunction");
        };
    }

    private static List<TagFilter> toWire(List<TagCondition> parts) {
        List<TagFilter> out = new ArrayList<>(parts.size());
        parts.forEach(p -> out.add(toWire(p)));
        return out;
    }

    private static List<TagCondition> fromWire(List<TagFilter> parts, String where, int depth) {
        if (parts.isEmpty()) {
            throw new InvalidInputException("empty tag filter list [" + where + ".parts]: want at least one part");
        }
        List<TagCondition> out = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            out.add(fromWire(parts.get(i), where + ".parts[" + i + "]", depth + 1));
        }
        return out;
    }
}
