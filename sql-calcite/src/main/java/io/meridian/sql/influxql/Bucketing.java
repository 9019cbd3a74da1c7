package io.meridian.sql.influxql;

import io.meridian.sql.TimeBucketFunction;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * The buckets of {@code GROUP BY time(width[, offset])}, with the statement's {@code tz()}: starts aligned to the
 * epoch plus {@code offset}, in local time when a zone is given (as InfluxDB's {@code Window}). When every offset
 * the zone uses over the statement's window is a multiple of the width (a 10m bucket in Europe/Paris), local and
 * UTC alignment agree and the zone is ignored for bucketing ({@link #zoned()} is false).
 *
 * @param widthMs  the bucket width
 * @param offsetMs the offset, in [0, width)
 * @param zone     the zone buckets align to, null for UTC
 */
record Bucketing(long widthMs, long offsetMs, ZoneId zone) {
    /** How far apart {@link #next} probes when a local bucket is longer than its width (a 25-hour day). */
    private static final long PROBE_MS = 15 * 60_000L;
    /** Bound on the zone transitions examined for alignment. */
    private static final int MAX_TRANSITIONS = 1000;

    /**
     * The bucketing of {@code width} and {@code offset} in {@code zone} over [fromMs, toMs]: the zone is dropped
     * when it never changes the buckets there.
     */
    static Bucketing of(long widthMs, long offsetMs, ZoneId zone, long fromMs, long toMs) {
        long offset = Math.floorMod(offsetMs, widthMs);
        return new Bucketing(widthMs, offset, zone == null || aligned(zone, widthMs, fromMs, toMs) ? null : zone);
    }

    private static boolean aligned(ZoneId zone, long widthMs, long fromMs, long toMs) {
        ZoneRules rules = zone.getRules();
        Instant t = Instant.ofEpochMilli(fromMs);
        if (rules.getOffset(t).getTotalSeconds() * 1000L % widthMs != 0) {
            return false;
        }
        for (int i = 0; i < MAX_TRANSITIONS; i++) {
            ZoneOffsetTransition next = rules.nextTransition(t);
            if (next == null || next.getInstant().toEpochMilli() > toMs) {
                return true;
            }
            if (next.getOffsetAfter().getTotalSeconds() * 1000L % widthMs != 0) {
                return false;
            }
            t = next.getInstant();
        }
        return false;
    }

    /** Whether buckets follow local time (and so are computed per slot, above the leaves). */
    boolean zoned() {
        return zone != null;
    }

    /** The start of the bucket holding {@code t}. */
    long floor(long t) {
        if (zone != null) {
            return TimeBucketFunction.evalZoned(widthMs, t - offsetMs, zone.getId()) + offsetMs;
        }
        return Math.floorDiv(t - offsetMs, widthMs) * widthMs + offsetMs;
    }

    /** The start of the bucket after the one starting at {@code start}. */
    long next(long start) {
        if (zone == null) {
            return start + widthMs;
        }
        long t = start + widthMs;
        while (floor(t) <= start) {
            t += PROBE_MS;
        }
        return floor(t);
    }

    /**
     * The SQL bucket expression over {@code "ts"}: {@code time_bucket(INTERVAL, "ts")} ({@code gapfill}: the
     * {@code time_bucket_gapfill} form), with {@code - INTERVAL offset} and the zone when they apply. Its value is
     * the bucket start minus the offset: {@link #floor} adds it back.
     */
    String sql(boolean gapfill) {
        String ts = SqlText.ident("ts") + (offsetMs == 0 ? "" : " - " + SqlText.interval(offsetMs));
        String fn = gapfill ? "time_bucket_gapfill" : "time_bucket";
        String z = zone == null ? "" : ", " + SqlText.string(zone.getId());
        return fn + "(" + SqlText.interval(widthMs) + ", " + ts + z + ")";
    }
}
