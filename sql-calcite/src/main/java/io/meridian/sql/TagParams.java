package io.meridian.sql;

import io.meridian.common.query.TagCondition;
import java.util.function.IntFunction;

/**
 * Tag values given as statement parameters ({@code hostname = ?}): the pushed condition holds a placeholder (tag
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

    /** The condition with every placeholder replaced by its parameter's value. */
    static TagCondition resolve(TagCondition f, IntFunction<String> param) {
        return f.mapValues(v -> isParam(v) ? param.apply(Integer.parseInt(v.substring(PREFIX.length()))) : v);
    }
}
