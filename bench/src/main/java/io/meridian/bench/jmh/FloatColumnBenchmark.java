package io.meridian.bench.jmh;

import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.encoding.FloatColumnCodec;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode of one day of a 10 s gauge (8,640 values) with the decimal codec (TSBS-like random
 * walks, integer or two-decimal values) and the XOR fallback (arbitrary doubles). Reports ns per column;
 * divide by 8,640 for ns per value. Bytes per value are printed once at setup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FloatColumnBenchmark {
    static final int N = 8640;

    @Param({"int", "decimal2", "arbitrary"})
    public String values;

    private final double[] column = new double[N];
    private final double[] decoded = new double[N];
    private final long[] scratch = new long[N];
    private final ByteSink sink = new ByteSink(N * 10);
    private byte[] encoded;

    @Setup
    public void setup() {
        Random r = new Random(1);
        double x = 50;
        for (int i = 0; i < N; i++) {
            x = Math.max(0, Math.min(100, x + r.nextGaussian()));
            column[i] = switch (values) {
                case "int" -> Math.rint(x);
                case "decimal2" -> Math.rint(x * 100) / 100;
                default -> x / 3;
            };
        }
        sink.clear();
        FloatColumnCodec.encode(column, N, sink, scratch);
        encoded = sink.toArray();
        System.out.printf("%n[%s] %.3f bytes/value before zstd%n", values, encoded.length / (double) N);
    }

    @Benchmark
    public int encode() {
        sink.clear();
        FloatColumnCodec.encode(column, N, sink, scratch);
        return sink.size();
    }

    @Benchmark
    public double[] decode() {
        FloatColumnCodec.decode(new ByteSource(encoded, "bench"), decoded, N, scratch);
        return decoded;
    }
}
