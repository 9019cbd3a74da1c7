package io.meridian.bench.jmh;

import io.meridian.storage.memtable.MemTable;
import io.meridian.storage.memtable.PointBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A memtable under the TSBS {@code cpu-only} load as a storage node sees it: write requests of 10 rows for each of
 * 1,000 series of 10 fields (100,000 points a request), arriving slightly out of order (four clients at once: each
 * group of four consecutive requests lands shuffled). {@code appendRequests} appends 24 requests (an hour of the
 * day, 2.4 M points) to an empty memtable, so it reports the cost of one hour; {@code sortedCopyOfEachBuffer} then
 * reads each (series, field) buffer of those 24 requests in time order, as a flush and a query on the memtable do;
 * {@code scanEachBuffer} reads each buffer's points one by one in arrival order, as a query's loop over a memtable
 * does.
 * Reports ms per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MemTableAppendBenchmark {
    static final int SERIES = 1_000;
    static final int FIELDS = 10;
    static final int ROWS = 10;
    static final int REQUESTS = 24;

    private final int[] fieldIds = new int[FIELDS];
    /** Request r's timestamps (its 10 rows) and values (row-major, rows x fields), the same for every series. */
    private final long[][] ts = new long[REQUESTS][ROWS];

    private final double[][] values = new double[REQUESTS][ROWS * FIELDS];
    private final int[] arrival = new int[REQUESTS];
    private MemTable filled;
    private final long[] outTs = new long[REQUESTS * ROWS];
    private final double[] outValues = new double[REQUESTS * ROWS];

    @Setup(Level.Trial)
    public void setup() {
        Random random = new Random(11);
        for (int f = 0; f < FIELDS; f++) {
            fieldIds[f] = f;
        }
        for (int r = 0; r < REQUESTS; r++) {
            for (int row = 0; row < ROWS; row++) {
                ts[r][row] = 1_796_601_600_000L + (r * ROWS + row) * 10_000L;
                for (int f = 0; f < FIELDS; f++) {
                    values[r][row * FIELDS + f] = random.nextInt(10_000) / 100.0;
                }
            }
            arrival[r] = r;
        }
        for (int g = 0; g < REQUESTS; g += 4) { // four clients: each group of four requests arrives shuffled
            for (int i = g + 3; i > g; i--) {
                int j = g + random.nextInt(i - g + 1);
                int t = arrival[i];
                arrival[i] = arrival[j];
                arrival[j] = t;
            }
        }
        filled = appendRequests();
    }

    @Benchmark
    public MemTable appendRequests() {
        MemTable m = new MemTable(10_000);
        for (int r : arrival) {
            for (int s = 0; s < SERIES; s++) {
                m.appendRows(s, fieldIds, ts[r], values[r]);
            }
        }
        return m;
    }

    @Benchmark
    public double sortedCopyOfEachBuffer() {
        double sum = 0;
        for (int s = 0; s < SERIES; s++) {
            for (int f = 0; f < FIELDS; f++) {
                filled.buffer(s, f).sortedCopy(outTs, outValues);
                sum += outValues[0];
            }
        }
        return sum;
    }

    @Benchmark
    public double scanEachBuffer() {
        double sum = 0;
        for (int s = 0; s < SERIES; s++) {
            for (int f = 0; f < FIELDS; f++) {
                PointBuffer b = filled.buffer(s, f);
                for (int i = 0; i < b.size(); i++) {
                    sum += b.timestamp(i) + b.value(i);
                }
            }
        }
        return sum;
    }
}
