package io.meridian.storage.server;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Names;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.storage.v1.TagFilter;
import io.meridian.storage.index.TagPredicate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The wire's {@link TagFilter} tree to and from the engine's {@link TagPredicate}. Errors name the node by
 * its path in the tree, e.g. {@code filter.conjunction.parts[1].regex}. An unset or unknown case is
 * rejected: reading a newer client's filter as "match all" would silently widen the query.
 */
public final class TagFilterCodec {
    private TagFilterCodec() {}

    /** @throws InvalidInputException naming the path of the offending node */
    public static TagPredicate decode(TagFilter filter) {
        return decode(filter, "filter", 1);
    }

    private static TagPredicate decode(TagFilter f, String path, int depth) {
        if (depth > StorageRpc.MAX_FILTER_DEPTH) {
            throw new InvalidInputException(
                    "tag filter too deep [path=" + path + "]: want at most " + StorageRpc.MAX_FILTER_DEPTH + " levels");
        }
        return switch (f.getKindCase()) {
            case MATCH_ALL -> new TagPredicate.All();
            case EQ ->
                new TagPredicate.Eq(
                        key(f.getEq().getKey(), path + ".eq"), f.getEq().getValue());
            case IN_SET ->
                new TagPredicate.In(
                        key(f.getInSet().getKey(), path + ".in_set"),
                        f.getInSet().getValuesList());
            case PREFIX ->
                new TagPredicate.Prefix(
                        key(f.getPrefix().getKey(), path + ".prefix"),
                        f.getPrefix().getPrefix());
            case REGEX -> regex(f.getRegex(), path + ".regex");
            case NEGATION -> {
                if (!f.getNegation().hasInner()) {
                    throw new InvalidInputException("missing inner filter [path=" + path + ".negation.inner]");
                }
                yield new TagPredicate.Not(decode(f.getNegation().getInner(), path + ".negation.inner", depth + 1));
            }
            case CONJUNCTION ->
                new TagPredicate.And(parts(f.getConjunction().getPartsList(), path + ".conjunction", depth));
            case DISJUNCTION ->
                new TagPredicate.Or(parts(f.getDisjunction().getPartsList(), path + ".disjunction", depth));
            case KIND_NOT_SET ->
                throw new InvalidInputException("missing or unknown tag filter kind [path=" + path
                        + "]: want one of match_all, eq, in_set, prefix, regex, negation, conjunction, disjunction");
        };
    }

    private static String key(String key, String path) {
        try {
            return Names.requireValid("tag", key);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(e.code(), e.getMessage() + " [path=" + path + ".key]");
        }
    }

    private static TagPredicate regex(TagFilter.Regex r, String path) {
        String key = key(r.getKey(), path);
        try {
            return new TagPredicate.Regex(key, Pattern.compile(r.getPattern()));
        } catch (PatternSyntaxException e) {
            throw new InvalidInputException("invalid regular expression [path=" + path + ".pattern, tag=" + key + "]: "
                    + e.getDescription() + " at index " + e.getIndex());
        }
    }

    private static List<TagPredicate> parts(List<TagFilter> parts, String path, int depth) {
        if (parts.isEmpty()) {
            throw new InvalidInputException("empty filter list [path=" + path + ".parts]: want at least one part");
        }
        List<TagPredicate> out = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            out.add(decode(parts.get(i), path + ".parts[" + i + "]", depth + 1));
        }
        return out;
    }

    /** Encodes an engine predicate (Java 17: an instanceof chain over the sealed set). */
    public static TagFilter encode(TagPredicate p) {
        TagFilter.Builder b = TagFilter.newBuilder();
        if (p instanceof TagPredicate.All) {
            b.setMatchAll(TagFilter.MatchAll.getDefaultInstance());
        } else if (p instanceof TagPredicate.Eq e) {
            b.setEq(TagFilter.Eq.newBuilder().setKey(e.key()).setValue(e.value()));
        } else if (p instanceof TagPredicate.In in) {
            b.setInSet(TagFilter.InSet.newBuilder().setKey(in.key()).addAllValues(in.values()));
        } else if (p instanceof TagPredicate.Prefix x) {
            b.setPrefix(TagFilter.Prefix.newBuilder().setKey(x.key()).setPrefix(x.prefix()));
        } else if (p instanceof TagPredicate.Regex r) {
            b.setRegex(TagFilter.Regex.newBuilder()
                    .setKey(r.key())
                    .setPattern(r.pattern().pattern()));
        } else if (p instanceof TagPredicate.Not n) {
            b.setNegation(TagFilter.Negation.newBuilder().setInner(encode(n.inner())));
        } else if (p instanceof TagPredicate.And and) {
            b.setConjunction(TagFilter.Conjunction.newBuilder()
                    .addAllParts(
                            and.parts().stream().map(TagFilterCodec::encode).toList()));
        } else if (p instanceof TagPredicate.Or or) {
            b.setDisjunction(TagFilter.Disjunction.newBuilder()
                    .addAllParts(or.parts().stream().map(TagFilterCodec::encode).toList()));
        } else {
            throw new IllegalStateException(
                    "BUG: unknown tag predicate " + p.getClass().getName());
        }
        return b.build();
    }
}
