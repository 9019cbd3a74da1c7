package io.meridian.common.rpc;

import com.google.protobuf.Internal;
import io.meridian.common.error.InvalidInputException;
import java.util.List;

/**
 * The timestamp column of {@code SeriesRows}: the first value is ms since the epoch, each next one the
 * difference to the previous timestamp. As zigzag varints ({@code sint64}) a regular 10 s series costs
 * three bytes per row (deltas below 2^20 ms) instead of six.
 */
public final class TimestampDeltas {
    private TimestampDeltas() {}

    /** Delta-encodes timestamps (overflow-free for any long values: wrap-around is undone by decode). */
    public static long[] encode(long[] timestamps) {
        long[] out = new long[timestamps.length];
        long prev = 0;
        for (int i = 0; i < timestamps.length; i++) {
            out[i] = timestamps[i] - prev;
            prev = timestamps[i];
        }
        return out;
    }

    /**
     * Decodes deltas back into absolute timestamps. A message's packed list (protobuf's {@code LongList}) is read
     * without boxing: a remote-write batch asks this once per series.
     */
    public static long[] decode(List<Long> deltas) {
        long[] out = new long[deltas.size()];
        long ts = 0;
        if (deltas instanceof Internal.LongList packed) {
            for (int i = 0; i < out.length; i++) {
                ts += packed.getLong(i);
                out[i] = ts;
            }
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            Long d = deltas.get(i);
            if (d == null) {
                throw new InvalidInputException("missing timestamp delta [row=" + i + "]");
            }
            ts += d;
            out[i] = ts;
        }
        return out;
    }
}
