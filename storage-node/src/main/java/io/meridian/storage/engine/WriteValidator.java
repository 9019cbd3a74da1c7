package io.meridian.storage.engine;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Names;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Stateless checks of a {@link WriteBatch} that run before anything changes: names, tag and field
 * counts, finite values, and the write window {@code [now - base retention, now + future tolerance]}.
 * Messages name the series, field and row.
 */
final class WriteValidator {
    private WriteValidator() {}

    static void validate(WriteBatch batch, ShardOptions options) {
        long now = options.clock().millis();
        long oldest = now - options.database().base().retention().toMillis();
        long newest = now + options.futureTolerance().toMillis();
        for (WriteBatch.SeriesRows r : batch.series()) {
            SeriesKey key = r.key();
            if (key.tags().size() > options.maxTagsPerSeries()) {
                throw new InvalidInputException(ErrorCode.LIMIT_EXCEEDED, "too many tags [series=" + key + "]: got "
                        + key.tags().size() + "; limit storage.limits.tags-per-series=" + options.maxTagsPerSeries());
            }
            List<String> fields = r.fields();
            Set<String> unique = new HashSet<>();
            for (String f : fields) {
                Names.requireValid("field", f);
                if (!unique.add(f)) {
                    throw new InvalidInputException("duplicate field [series=" + key + ", field=" + f + "]");
                }
                if (key.tags().containsKey(f)) {
                    throw new InvalidInputException(ErrorCode.TYPE_CONFLICT, "name used as both tag and field [series="
                            + key + ", field=" + f + "]");
                }
            }
            long[] ts = r.timestamps();
            double[] vs = r.values();
            int nf = fields.size();
            for (int row = 0; row < ts.length; row++) {
                if (ts[row] < oldest || ts[row] > newest) {
                    throw new InvalidInputException(ErrorCode.OUT_OF_RETENTION, "timestamp outside the write window [series="
                            + key + ", row=" + row + ", ts=" + ts[row] + "]: want " + oldest + ".." + newest
                            + " (base retention " + options.database().base().retention() + ", future tolerance "
                            + options.futureTolerance() + ")");
                }
                for (int f = 0; f < nf; f++) {
                    if (Double.isInfinite(vs[row * nf + f])) {
                        throw new InvalidInputException("infinite value [series=" + key + ", field=" + fields.get(f)
                                + ", row=" + row + "]: want a finite number (NaN means no value)");
                    }
                }
            }
        }
    }

    static void checkHistogramValues(WriteBatch.SeriesRows r, String field) {
        int f = r.fields().indexOf(field);
        int nf = r.fields().size();
        for (int row = 0; row < r.rows(); row++) {
            double v = r.values()[row * nf + f];
            if (v < 0) {
                throw new InvalidInputException("negative histogram observation [series=" + r.key() + ", field=" + field
                        + ", row=" + row + ", value=" + v + "]: want >= 0");
            }
        }
    }
}
