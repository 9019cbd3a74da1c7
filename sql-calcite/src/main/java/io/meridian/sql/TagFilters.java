package io.meridian.sql;

import io.meridian.common.rpc.storage.v1.TagFilter;
import java.util.List;
import java.util.stream.Collectors;

/** Builds and prints tag filters (the wire form the leaves evaluate). */
final class TagFilters {
    private TagFilters() {}

    static TagFilter eq(String key, String value) {
        return TagFilter.newBuilder().setEq(TagFilter.Eq.newBuilder().setKey(key).setValue(value)).build();
    }

    static TagFilter in(String key, List<String> values) {
        return TagFilter.newBuilder().setInSet(TagFilter.InSet.newBuilder().setKey(key).addAllValues(values)).build();
    }

    static TagFilter prefix(String key, String prefix) {
        return TagFilter.newBuilder().setPrefix(TagFilter.Prefix.newBuilder().setKey(key).setPrefix(prefix)).build();
    }

    static TagFilter regex(String key, String pattern) {
        return TagFilter.newBuilder().setRegex(TagFilter.Regex.newBuilder().setKey(key).setPattern(pattern)).build();
    }

    static TagFilter not(TagFilter inner) {
        return TagFilter.newBuilder().setNegation(TagFilter.Negation.newBuilder().setInner(inner)).build();
    }

    static TagFilter and(List<TagFilter> parts) {
        return parts.size() == 1 ? parts.get(0)
                : TagFilter.newBuilder().setConjunction(TagFilter.Conjunction.newBuilder().addAllParts(parts)).build();
    }

    static TagFilter or(List<TagFilter> parts) {
        return parts.size() == 1 ? parts.get(0)
                : TagFilter.newBuilder().setDisjunction(TagFilter.Disjunction.newBuilder().addAllParts(parts)).build();
    }

    static String describe(TagFilter f) {
        return switch (f.getKindCase()) {
            case MATCH_ALL -> "all";
            case EQ -> f.getEq().getKey() + "='" + f.getEq().getValue() + "'";
            case IN_SET -> f.getInSet().getKey() + " IN " + f.getInSet().getValuesList();
            case PREFIX -> f.getPrefix().getKey() + " LIKE '" + f.getPrefix().getPrefix() + "%'";
            case REGEX -> f.getRegex().getKey() + " ~ '" + f.getRegex().getPattern() + "'";
            case NEGATION -> "NOT(" + describe(f.getNegation().getInner()) + ")";
            case CONJUNCTION -> f.getConjunction().getPartsList().stream().map(TagFilters::describe)
                    .collect(Collectors.joining(" AND ", "(", ")"));
            case DISJUNCTION -> f.getDisjunction().getPartsList().stream().map(TagFilters::describe)
                    .collect(Collectors.joining(" OR ", "(", ")"));
            case KIND_NOT_SET -> "?";
        };
    }
}
