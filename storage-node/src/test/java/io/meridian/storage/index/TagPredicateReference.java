package io.meridian.storage.index;

import io.meridian.common.model.SeriesKey;

/** Brute-force evaluation of a {@link TagPredicate} on one series: the reference the postings index must agree with. */
public final class TagPredicateReference {
    private TagPredicateReference() {}

    public static boolean matches(TagPredicate p, SeriesKey key) {
        if (p instanceof TagPredicate.All) {
            return true;
        }
        if (p instanceof TagPredicate.Eq e) {
            return e.value().equals(key.tags().get(e.key()));
        }
        if (p instanceof TagPredicate.In in) {
            String v = key.tags().get(in.key());
            return v != null && in.values().contains(v);
        }
        if (p instanceof TagPredicate.Prefix pf) {
            String v = key.tags().get(pf.key());
            return v != null && v.startsWith(pf.prefix());
        }
        if (p instanceof TagPredicate.Regex rx) {
            String v = key.tags().get(rx.key());
            return v != null && rx.pattern().matcher(v).matches();
        }
        if (p instanceof TagPredicate.Not n) {
            return !matches(n.inner(), key);
        }
        if (p instanceof TagPredicate.And and) {
            return and.parts().stream().allMatch(x -> matches(x, key));
        }
        if (p instanceof TagPredicate.Or or) {
            return or.parts().stream().anyMatch(x -> matches(x, key));
        }
        throw new IllegalArgumentException("unknown predicate " + p);
    }
}
