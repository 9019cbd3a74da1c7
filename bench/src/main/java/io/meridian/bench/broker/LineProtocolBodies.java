package io.meridian.bench.broker;

import io.meridian.bench.tsbs.CpuOnlyGenerator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code cpu-only} data set as HTTP write bodies: InfluxDB line protocol with millisecond timestamps, in time
 * order with all hosts per timestamp (as {@link io.meridian.bench.tsbs.LineProtocolExporter} and TSBS write it),
 * cut into bodies of at most {@code linesPerBody} whole lines. Built before the timed load, in memory.
 */
public final class LineProtocolBodies {
    private static final int GENERATOR_CHUNK_ROWS = 60;

    private LineProtocolBodies() {}

    /** The bodies and what they hold. */
    public record Bodies(List<byte[]> bodies, long lines, long bytes) {
        public Bodies {
            bodies = List.copyOf(bodies);
        }

        public long points() {
            return lines * CpuOnlyGenerator.FIELDS.size();
        }
    }

    /**
     * @param startMs first timestamp; rows follow every {@link CpuOnlyGenerator#ROW_INTERVAL_MS}
     * @throws IllegalArgumentException if {@code hours} or {@code linesPerBody} is not positive
     */
    public static Bodies build(CpuOnlyGenerator gen, long startMs, int hours, int linesPerBody) {
        if (hours < 1 || linesPerBody < 1) {
            throw new IllegalArgumentException(
                    "hours and linesPerBody must be positive: got " + hours + ", " + linesPerBody);
        }
        List<String> fields = CpuOnlyGenerator.FIELDS;
        String[] prefixes = new String[gen.hosts()];
        for (int h = 0; h < gen.hosts(); h++) {
            StringBuilder sb = new StringBuilder(CpuOnlyGenerator.MEASUREMENT);
            for (Map.Entry<String, String> t : gen.key(h).tags().entrySet()) {
                sb.append(',').append(t.getKey()).append('=').append(t.getValue());
            }
            prefixes[h] = sb.append(' ').toString();
        }
        long rows = hours * 3_600_000L / CpuOnlyGenerator.ROW_INTERVAL_MS;
        double[][] buf = new double[gen.hosts()][GENERATOR_CHUNK_ROWS * fields.size()];
        List<byte[]> bodies = new ArrayList<>();
        StringBuilder body = new StringBuilder(linesPerBody * 400);
        int inBody = 0;
        long lines = 0;
        long bytes = 0;
        for (long row = 0; row < rows; row += GENERATOR_CHUNK_ROWS) {
            int n = (int) Math.min(GENERATOR_CHUNK_ROWS, rows - row);
            for (int h = 0; h < gen.hosts(); h++) {
                gen.nextRows(h, n, buf[h]);
            }
            for (int r = 0; r < n; r++) {
                long ts = startMs + (row + r) * CpuOnlyGenerator.ROW_INTERVAL_MS;
                for (int h = 0; h < gen.hosts(); h++) {
                    body.append(prefixes[h]);
                    for (int f = 0; f < fields.size(); f++) {
                        if (f > 0) {
                            body.append(',');
                        }
                        double v = buf[h][r * fields.size() + f];
                        body.append(fields.get(f)).append('=');
                        if (v == Math.rint(v)) {
                            body.append((long) v);
                        } else {
                            body.append(v);
                        }
                    }
                    body.append(' ').append(ts).append('\n');
                    lines++;
                    if (++inBody == linesPerBody) {
                        bytes += flush(body, bodies);
                        inBody = 0;
                    }
                }
            }
        }
        if (inBody > 0) {
            bytes += flush(body, bodies);
        }
        return new Bodies(bodies, lines, bytes);
    }

    private static int flush(StringBuilder body, List<byte[]> out) {
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        out.add(b);
        body.setLength(0);
        return b.length;
    }
}
