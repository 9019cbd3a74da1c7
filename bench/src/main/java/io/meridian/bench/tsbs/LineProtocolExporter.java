package io.meridian.bench.tsbs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the {@code cpu-only} data set as InfluxDB line protocol (ns precision), in time order with all
 * hosts per timestamp, exactly the points the engine benchmark loads, so peers load the same data.
 */
public final class LineProtocolExporter {
    private LineProtocolExporter() {}

    public static long write(CpuOnlyGenerator gen, long startMs, int hours, Writer out) throws IOException {
        BufferedWriter w = new BufferedWriter(out, 1 << 20);
        long rows = hours * 3_600_000L / CpuOnlyGenerator.ROW_INTERVAL_MS;
        int chunk = 60;
        List<String> fields = CpuOnlyGenerator.FIELDS;
        String[] prefixes = new String[gen.hosts()];
        for (int h = 0; h < gen.hosts(); h++) {
            StringBuilder sb = new StringBuilder(CpuOnlyGenerator.MEASUREMENT);
            for (Map.Entry<String, String> t : gen.key(h).tags().entrySet()) {
                sb.append(',').append(t.getKey()).append('=').append(t.getValue());
            }
            prefixes[h] = sb.append(' ').toString();
        }
        double[][] buf = new double[gen.hosts()][chunk * fields.size()];
        long lines = 0;
        for (long row = 0; row < rows; row += chunk) {
            int n = (int) Math.min(chunk, rows - row);
            for (int h = 0; h < gen.hosts(); h++) {
                gen.nextRows(h, n, buf[h]);
            }
            for (int r = 0; r < n; r++) {
                long tsNs = (startMs + (row + r) * CpuOnlyGenerator.ROW_INTERVAL_MS) * 1_000_000L;
                for (int h = 0; h < gen.hosts(); h++) {
                    w.write(prefixes[h]);
                    for (int f = 0; f < fields.size(); f++) {
                        if (f > 0) {
                            w.write(',');
                        }
                        w.write(fields.get(f));
                        w.write('=');
                        double v = buf[h][r * fields.size() + f];
                        w.write(v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v));
                    }
                    w.write(' ');
                    w.write(Long.toString(tsNs));
                    w.write('\n');
                    lines++;
                }
            }
        }
        w.flush();
        return lines;
    }
}
