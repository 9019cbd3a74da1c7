package io.meridian.ingest;

import io.meridian.common.model.Names;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks a decoded shard batch before it may join a transaction: one bad point in a staged mini-batch would fail
 * the whole batch on the storage node, so the job finds it per Kafka record and dead-letters only that record.
 * Line protocol was checked by its parser (names, values); a {@code pb1} record from an arbitrary producer is
 * checked here in full. Both get the storage node's write window {@code [now - base retention, now + future
 * tolerance]}.
 */
final class BatchChecks {
    private BatchChecks() {}

    /** Thrown with the reason that goes into the dead-letter record. */
    static final class BadBatch extends Exception {
        BadBatch(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * @param full also check names, structure and values (a {@code pb1} record)
     * @return the number of non-NaN values (points)
     */
    static long check(PointBatch batch, boolean full, long oldest, long newest) throws BadBatch {
        long points = 0;
        for (int s = 0; s < batch.getSeriesCount(); s++) {
            SeriesRows r = batch.getSeries(s);
            String where = "[series=" + s + ", metric=" + r.getMetric() + "]";
            if (full) {
                structure(r, where);
            }
            int nf = r.getFieldsCount();
            long ts = 0;
            for (int row = 0; row < r.getTimestampDeltasCount(); row++) {
                ts = row == 0 ? r.getTimestampDeltas(0) : ts + r.getTimestampDeltas(row);
                if (ts < oldest || ts > newest) {
                    throw new BadBatch("timestamp outside the write window " + where + " [row=" + row + ", ts=" + ts
                            + "]: want " + oldest + ".." + newest + " (ms; now minus the base retention .. now plus"
                            + " the future tolerance)");
                }
                for (int f = 0; f < nf; f++) {
                    double v = r.getValues(row * nf + f);
                    if (Double.isInfinite(v)) {
                        throw new BadBatch("infinite value " + where + " [row=" + row + ", field=" + r.getFields(f)
                                + "]: want a finite number");
                    }
                    if (!Double.isNaN(v)) {
                        points++;
                    }
                }
            }
        }
        return points;
    }

    private static void structure(SeriesRows r, String where) throws BadBatch {
        name("metric", r.getMetric(), where);
        if (r.getFieldsCount() == 0) {
            throw new BadBatch("no fields " + where);
        }
        if ((long) r.getFieldsCount() * r.getTimestampDeltasCount() != r.getValuesCount()) {
            throw new BadBatch("values do not match rows x fields " + where + ": got " + r.getValuesCount()
                    + " values for " + r.getTimestampDeltasCount() + " rows x " + r.getFieldsCount() + " fields");
        }
        Set<String> tagKeys = new HashSet<>();
        for (Tag t : r.getTagsList()) {
            name("tag key", t.getKey(), where);
            if (!tagKeys.add(t.getKey())) {
                throw new BadBatch("duplicate tag key " + where + " [tag=" + t.getKey() + "]");
            }
            try {
                Names.requireValidTagValue(t.getKey(), t.getValue());
            } catch (RuntimeException e) {
                throw new BadBatch("invalid tag value " + where + ": " + e.getMessage());
            }
        }
        Set<String> fields = new HashSet<>();
        for (String f : r.getFieldsList()) {
            name("field", f, where);
            if (!fields.add(f) || tagKeys.contains(f)) {
                throw new BadBatch("field name repeated or also a tag " + where + " [field=" + f + "]");
            }
        }
    }

    private static void name(String what, String name, String where) throws BadBatch {
        String reason = Names.invalidReason(name);
        if (reason != null) {
            throw new BadBatch("invalid " + what + " name " + where + " [" + what.replace(' ', '-') + "=" + name
                    + "]: " + reason);
        }
    }
}
