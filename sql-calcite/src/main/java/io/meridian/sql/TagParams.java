package io.meridian.sql;

import io.meridian.common.rpc.storage.v1.TagFilter;
import java.util.function.IntFunction;

/**
 * Tag values given as statement parameters ({@code hostname = ?}): the pushed filter holds a placeholder (tag
 * values never contain NUL, so it cannot collide with a real value) that is replaced by the parameter's value
 * each time the statement runs, so a prepared statement is planned once and pushed every time.
 */
final class TagParams {
    private static final String PREFIX = "\u0000?";

    private TagParams() {}

    static String placeholder(int index) {
        return PREFIX + index;
    }

    static boolean isParam(String value) {
        return value.startsWith(PREFIX);
    }

    /** The filter with every placeholder replaced by its parameter's value. */
    static TagFilter resolve(TagFilter f, IntFunction<String> param) {
        return switch (f.getKindCase()) {
            case EQ -> f.toBuilder().setEq(f.getEq().toBuilder().setValue(value(f.getEq().getValue(), param))).build();
            case IN_SET -> {
                TagFilter.InSet.Builder b = f.getInSet().toBuilder().clearValues();
                f.getInSet().getValuesList().forEach(v -> b.addValues(value(v, param)));
                yield f.toBuilder().setInSet(b).build();
            }
            case NEGATION -> f.toBuilder().setNegation(TagFilter.Negation.newBuilder()
                    .setInner(resolve(f.getNegation().getInner(), param))).build();
            case CONJUNCTION -> {
                TagFilter.Conjunction.Builder b = TagFilter.Conjunction.newBuilder();
                f.getConjunction().getPartsList().forEach(p -> b.addParts(resolve(p, param)));
                yield f.toBuilder().setConjunction(b).build();
            }
            case DISJUNCTION -> {
                TagFilter.Disjunction.Builder b = TagFilter.Disjunction.newBuilder();
                f.getDisjunction().getPartsList().forEach(p -> b.addParts(resolve(p, param)));
                yield f.toBuilder().setDisjunction(b).build();
            }
            default -> f;
        };
    }

    private static String value(String v, IntFunction<String> param) {
        return isParam(v) ? param.apply(Integer.parseInt(v.substring(PREFIX.length()))) : v;
    }
}
