package io.meridian.sql;

import io.meridian.common.query.OrderKey;
import java.util.ArrayList;
import java.util.List;

/** ORDER BY / LIMIT of a pushed plan applied to rows assembled from more than one spec. Nulls sort last. */
final class RowOrder {
    private RowOrder() {}

    static List<Object[]> sortAndLimit(List<Object[]> rows, PushedPlan plan) {
        List<Object[]> out = new ArrayList<>(rows);
        out.sort(OrderKey.comparator(plan.columns(), plan.orderKeys(), (r, i) -> r[i]));
        return plan.limit() > 0 && out.size() > plan.limit() ? new ArrayList<>(out.subList(0, plan.limit())) : out;
    }
}
