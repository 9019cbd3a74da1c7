package io.meridian.bench.engine;

import io.meridian.bench.tsbs.CpuOnlyGenerator;
import io.meridian.common.model.Aggregate;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** The four TSBS query shapes the engine benchmark runs through the leaf operator. */
public final class QueryShapes {
    public static final long MINUTE = 60_000;
    public static final long HOUR = 3_600_000;

    private QueryShapes() {}

    /** single-groupby-1-1-1: MAX(usage_user) per minute of one host over one random hour. */
    public static LeafQuery singleGroupby111(Random r, int hosts, long start, long end) {
        long from = start + (long) r.nextInt((int) Math.max(1, (end - start - HOUR) / MINUTE)) * MINUTE;
        return new LeafQuery(
                "cpu",
                TagPredicate.eq("hostname", "host_" + r.nextInt(hosts)),
                from,
                from + HOUR,
                MINUTE,
                List.of(),
                List.of("usage_user"));
    }

    /** cpu-max-all-1: MAX of all ten fields per hour of one host over eight random hours. */
    public static LeafQuery cpuMaxAll1(Random r, int hosts, long start, long end) {
        long span = 8 * HOUR;
        long from = start + (long) r.nextInt((int) Math.max(1, (end - start - span) / HOUR + 1)) * HOUR;
        return new LeafQuery(
                "cpu",
                TagPredicate.eq("hostname", "host_" + r.nextInt(hosts)),
                from,
                Math.min(end, from + span),
                HOUR,
                List.of(),
                CpuOnlyGenerator.FIELDS);
    }

    /** double-groupby-1: AVG(usage_user) per hour and host over twelve random hours, all hosts. */
    public static LeafQuery doubleGroupby1(Random r, long start, long end) {
        long span = 12 * HOUR;
        long from = start + (long) r.nextInt((int) Math.max(1, (end - start - span) / HOUR + 1)) * HOUR;
        return new LeafQuery(
                "cpu",
                TagPredicate.all(),
                from,
                Math.min(end, from + span),
                HOUR,
                List.of("hostname"),
                List.of("usage_user"));
    }

    /** lastpoint: the last value of every field of every host. */
    public static LeafQuery lastpoint(long start, long end) {
        return new LeafQuery(
                "cpu",
                TagPredicate.all(),
                start,
                end,
                0,
                List.of("hostname"),
                CpuOnlyGenerator.FIELDS,
                Set.of(Aggregate.LAST));
    }
}
