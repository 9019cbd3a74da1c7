package io.meridian.bench.jmh;

import io.meridian.storage.encoding.ByteSink;
import io.meridian.storage.encoding.ByteSource;
import io.meridian.storage.part.BlockCodec;
import io.meridian.storage.part.SlotColumns;
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
 * Decode of one block as a query reads it from a part: one (series, field) over a day segment at 10 s, one point
 * per slot (8,640 entries), the TSBS {@code cpu} gauges (a random walk in [0, 100]) with two decimals or as
 * integers. This is what a query over a day of flushed data spends most of its time on when the block cache
 * cannot hold the range (double-groupby over 1,000 hosts). {@code decode} reads the whole block into a new instance
 * (what the block cache keeps); {@code decodeHalfDayForAScan} reads hours 6 to 18 into one reused instance, as a scan
 * larger than the cache does (its columns up to hour 18, its copy of 12 hours). Reports us per block; divide by 8,640
 * for ns per entry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BlockDecodeBenchmark {
    static final int SLOTS = 8640;

    @Param({"decimal2", "int"})
    public String values;

    private final BlockCodec codec = new BlockCodec();
    private final SlotColumns scratch = SlotColumns.scratch();
    private byte[] block;

    @Setup
    public void setup() {
        Random r = new Random(7);
        double x = 50;
        SlotColumns c = SlotColumns.singles(SLOTS);
        for (int slot = 0; slot < SLOTS; slot++) {
            x = Math.max(0, Math.min(100, x + r.nextGaussian()));
            c.appendSingle(slot, 0, values.equals("int") ? Math.rint(x) : Math.rint(x * 100) / 100);
        }
        ByteSink sink = new ByteSink(SLOTS * 4);
        codec.encode(c, sink);
        block = sink.toArray();
        System.out.printf("%n[%s] %.3f bytes/entry%n", values, block.length / (double) SLOTS);
    }

    @Benchmark
    public SlotColumns decode() {
        return codec.decode(new ByteSource(block, "bench"), false, SLOTS);
    }

    @Benchmark
    public SlotColumns decodeHalfDayForAScan() {
        return codec.decode(new ByteSource(block, "bench"), false, SLOTS, scratch, SLOTS / 4, SLOTS * 3 / 4 - 1);
    }
}
