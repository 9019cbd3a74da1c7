package io.meridian.bench.jmh;

import io.meridian.bench.tsbs.CpuOnlyGenerator;
import io.meridian.bench.tsbs.LineProtocolExporter;
import io.meridian.common.lineprotocol.LineProtocolOptions;
import io.meridian.common.lineprotocol.LineProtocolParser;
import io.meridian.common.lineprotocol.LineView;
import io.meridian.common.lineprotocol.LineVisitor;
import io.meridian.common.lineprotocol.ParseResult;
import io.meridian.common.lineprotocol.Precision;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parses one body of TSBS {@code cpu-only} lines (100 hosts x 1 h at 10 s = 36,000 lines of 10 tags and 10
 * fields, ns timestamps, exactly {@link LineProtocolExporter}'s output) with Meridian's name checks on. The
 * score is lines per second ({@code @OperationsPerInvocation} = lines per body). {@code atomic=true} is the
 * write endpoint's mode: a validation pass, then a delivery pass. The visitor reads every field value so
 * the work cannot be skipped. Run with {@code -prof gc} to see the bytes allocated per line.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LineProtocolBenchmark {
    static final int HOSTS = 100;
    static final int LINES = HOSTS * 360;

    @Param({"false", "true"})
    public boolean atomic;

    @Param({"FLOAT", "INT"})
    public CpuOnlyGenerator.ValueMode values;

    /** Meridian's name and tag-value checks; {@code -p names=false} shows what they cost. */
    @Param({"true"})
    public boolean names;

    private byte[] body;
    private LineProtocolParser parser;
    private final Sink sink = new Sink();

    @Setup
    public void setup() throws IOException {
        StringWriter out = new StringWriter();
        long lines = LineProtocolExporter.write(new CpuOnlyGenerator(HOSTS, 1, values), 1_451_606_400_000L, 1, out);
        if (lines != LINES) {
            throw new IllegalStateException("BUG: got " + lines + " lines; want " + LINES);
        }
        body = out.toString().getBytes(StandardCharsets.UTF_8);
        parser = new LineProtocolParser(
                LineProtocolOptions.DEFAULTS.withAtomic(atomic).withValidateNames(names));
        ParseResult check =
                parser.validate(body, 0, body.length, Precision.NANOSECONDS).throwIfErrors();
        System.out.printf(
                "%n[%s] %d lines, %.1f bytes/line%n", values, check.linesValid(), body.length / (double) LINES);
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public double parse() {
        sink.sum = 0;
        parser.parse(body, 0, body.length, Precision.NANOSECONDS, 0, sink);
        return sink.sum;
    }

    static final class Sink implements LineVisitor {
        double sum;

        @Override
        public void line(LineView line) {
            double s = line.timestampMs() + line.tagCount();
            for (int i = 0; i < line.fieldCount(); i++) {
                s += line.fieldValue(i);
            }
            sum += s;
        }
    }
}
