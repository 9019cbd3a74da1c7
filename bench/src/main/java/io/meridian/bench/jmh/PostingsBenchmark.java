package io.meridian.bench.jmh;

import io.meridian.bench.tsbs.CpuOnlyGenerator;
import io.meridian.storage.index.PostingsIndex;
import io.meridian.storage.index.TagPredicate;
import java.util.List;
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
import org.roaringbitmap.RoaringBitmap;

/** Resolving tag predicates to series bitmaps over the TSBS cpu-only tag set. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PostingsBenchmark {
    @Param({"1000", "100000"})
    public int hosts;

    private PostingsIndex index;
    private final TagPredicate eq = TagPredicate.eq("hostname", "host_7");
    private final TagPredicate intersect = TagPredicate.and(
            TagPredicate.eq("region", "eu-west-1"),
            new TagPredicate.In("service_environment", List.of("production", "staging")),
            new TagPredicate.Not(TagPredicate.eq("os", "Ubuntu15.10")));
    private final TagPredicate regex = TagPredicate.Regex.of("datacenter", "us-.*a");

    @Setup
    public void setup() {
        CpuOnlyGenerator gen = new CpuOnlyGenerator(hosts, 1, CpuOnlyGenerator.ValueMode.INT);
        index = new PostingsIndex();
        for (int h = 0; h < hosts; h++) {
            index.add(h, gen.key(h));
        }
    }

    @Benchmark
    public RoaringBitmap equality() {
        return index.resolve("cpu", eq);
    }

    @Benchmark
    public RoaringBitmap andInNot() {
        return index.resolve("cpu", intersect);
    }

    @Benchmark
    public RoaringBitmap regexOverValues() {
        return index.resolve("cpu", regex);
    }
}
