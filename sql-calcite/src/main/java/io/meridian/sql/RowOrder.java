package io.meridian.sql;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** ORDER BY / LIMIT of a pushed plan applied to rows assembled from more than one spec. Nulls sort last. */
final class RowOrder {
    private RowOrder() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    static List<Object[]> sortAndLimit(List<Object[]> rows, PushedPlan plan) {
        Comparator<Object[]> cmp = null;
        for (String key : plan.orderBy()) {
            boolean desc = key.startsWith("-");
            int idx = plan.columns().indexOf(desc ? key.substring(1) : key);
            Comparator<Object> values = (Comparator) Comparator.naturalOrder();
            Comparator<Object[]> one = Comparator.comparing(r -> r[idx], Comparator.nullsLast(desc ? values.reversed() : values));
            cmp = cmp == null ? one : cmp.thenComparing(one);
        }
        List<Object[]> out = new ArrayList<>(rows);
        if (cmp != null) {
            out.sort(cmp);
        }
        return plan.limit() > 0 && out.size() > plan.limit() ? new ArrayList<>(out.subList(0, plan.limit())) : out;
    }
}
