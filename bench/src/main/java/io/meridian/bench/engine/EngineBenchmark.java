package io.meridian.bench.engine;

import io.meridian.bench.tsbs.CpuOnlyGenerator;
import io.meridian.common.error.BusyException;
import io.meridian.common.model.DatabaseOptions;
import io.meridian.common.model.Durations;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.query.PartialTable;
import io.meridian.storage.engine.Shard;
import io.meridian.storage.index.TagPredicate;
import io.meridian.storage.query.LeafQuery;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.ShardStats;
import io.meridian.storage.shard.WriteBatch;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Loads N hosts x H hours of {@code cpu-only} data into fresh shards on disk and measures ingest rate,
 * bytes on disk per point (after flush and compaction), heap bytes per series, and the median latency of
 * four TSBS query shapes through the leaf operator. One writer thread per shard.
 */
public final class EngineBenchmark {
    /** Benchmark parameters. */
    public record Params(
            int hosts,
            int hours,
            CpuOnlyGenerator.ValueMode values,
            int shards,
            int batchRows,
            int queryRuns,
            long seed,
            Path dir) {}

    /** The measured figures. */
    public record Result(
            double ingestPointsPerS,
            double bytesPerPoint,
            double heapBytesPerSeries,
            Map<String, Double> queryMedianMs,
            long points,
            long diskBytes,
            Map<String, Double> bytesPerPointByInterval,
            Map<String, Double> writerBesideQuery) {
        public String toJson() {
            StringBuilder q = new StringBuilder("{");
            queryMedianMs.forEach((k, v) -> q.append(q.length() > 1 ? "," : "")
                    .append('"')
                    .append(k)
                    .append("\":")
                    .append(fmt(v)));
            StringBuilder by = new StringBuilder("{");
            bytesPerPointByInterval.forEach((k, v) -> by.append(by.length() > 1 ? "," : "")
                    .append('"')
                    .append(k)
                    .append("\":")
                    .append(fmt(v)));
            StringBuilder wb = new StringBuilder("{");
            writerBesideQuery.forEach((k, v) -> wb.append(wb.length() > 1 ? "," : "")
                    .append('"')
                    .append(k)
                    .append("\":")
                    .append(fmt(v)));
            return "{\"ingest_points_per_s\":" + Math.round(ingestPointsPerS) + ",\"bytes_per_point\":"
                    + fmt(bytesPerPoint)
                    + ",\"heap_bytes_per_series\":" + Math.round(heapBytesPerSeries) + ",\"query_ms\":" + q + "}"
                    + ",\"points\":" + points + ",\"disk_bytes\":" + diskBytes
                    + ",\"bytes_per_point_by_interval\":" + by + "}"
                    + ",\"writer_beside_query\":" + wb + "}}";
        }

        private static String fmt(double v) {
            return String.format(Locale.ROOT, "%.4f", v);
        }
    }

    private final Params p;
    private final PrintStream progress;

    public EngineBenchmark(Params p, PrintStream progress) {
        this.p = p;
        this.progress = progress;
    }

    public Result run() throws Exception {
        long day = 86_400_000L;
        long now = System.currentTimeMillis();
        long start = Math.floorDiv(now, day) * day - (long) Math.ceil(p.hours() / 24.0) * day;
        long rowsPerHost = p.hours() * 3_600_000L / CpuOnlyGenerator.ROW_INTERVAL_MS;
        long end = start + rowsPerHost * CpuOnlyGenerator.ROW_INTERVAL_MS;
        DatabaseOptions db = new DatabaseOptions(
                "bench",
                p.shards(),
                List.of(
                        IntervalSpec.parse("10s", "30d"),
                        IntervalSpec.parse("5m", "180d"),
                        IntervalSpec.parse("1h", "730d")));
        ShardOptions options = ShardOptions.defaults(db);
        CpuOnlyGenerator gen = new CpuOnlyGenerator(p.hosts(), p.seed(), p.values());
        List<List<Integer>> hostsByShard = new ArrayList<>();
        for (int s = 0; s < p.shards(); s++) {
            hostsByShard.add(new ArrayList<>());
        }
        for (int h = 0; h < p.hosts(); h++) {
            hostsByShard
                    .get(SeriesHash.shardOf(gen.key(h).canonicalBytes(), p.shards()))
                    .add(h);
        }
        // open and close a throw-away shard first so one-time initialisation (logging, metrics, classes'
        // static state) is not charged to the series
        try (Shard warm = Shard.open(p.dir().resolve("warmup"), options)) {
            warm.stats();
        }
        long heapBefore = usedHeapAfterGc();
        Shard[] shards = new Shard[p.shards()];
        for (int s = 0; s < shards.length; s++) {
            shards[s] = Shard.open(p.dir().resolve("shard-" + s), options);
        }
        long totalPoints = (long) p.hosts() * rowsPerHost * CpuOnlyGenerator.FIELDS.size();
        progress.printf(
                Locale.ROOT,
                "loading %d hosts x %d h = %,d points into %d shard(s) at %s%n",
                p.hosts(),
                p.hours(),
                totalPoints,
                shards.length,
                p.dir());
        // generate first, untimed: the figure is the engine's ingest rate, not the generator's
        progress.printf(Locale.ROOT, "generating batches (untimed) ...%n");
        List<List<WriteBatch>> batches = new ArrayList<>();
        for (int s = 0; s < shards.length; s++) {
            batches.add(generate(gen, hostsByShard.get(s), start, rowsPerHost));
        }
        long[] written = new long[shards.length];
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(shards.length);
        List<Future<?>> futures = new ArrayList<>();
        for (int s = 0; s < shards.length; s++) {
            int shard = s;
            futures.add(pool.submit(() -> load(shards[shard], batches.get(shard), written, shard, totalPoints, t0)));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        batches.clear();
        for (Shard s : shards) {
            s.flush();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        progress.printf(
                Locale.ROOT, "loaded %,d points in %.1f s (flush included); compacting%n", totalPoints, seconds);
        for (Shard s : shards) {
            s.compact(2);
        }
        pool.shutdown();
        long disk = 0;
        long series = 0;
        Map<String, Double> byInterval = new LinkedHashMap<>();
        for (IntervalSpec spec : db.intervals()) {
            long bytes = 0;
            for (Shard s : shards) {
                bytes += intervalBytes(s.directory(), spec.intervalMillis());
            }
            byInterval.put(Durations.format(spec.interval()), bytes / (double) totalPoints);
        }
        for (Shard s : shards) {
            disk += directoryBytes(s.directory());
            ShardStats st = s.stats();
            series += st.series();
        }
        long heapAfter = usedHeapAfterGc();
        double heapPerSeries = Math.max(0, heapAfter - heapBefore) / (double) Math.max(1, series);
        progress.printf(
                Locale.ROOT,
                "heap after GC: %,d bytes before opening shards, %,d after load and compaction%n",
                heapBefore,
                heapAfter);
        if (Boolean.getBoolean("meridian.bench.pauseAfterLoad")) {
            progress.printf("paused for a heap histogram (jcmd <pid> GC.class_histogram); press enter%n");
            System.in.read();
        }
        progress.printf(
                Locale.ROOT,
                "disk %,d bytes (%.3f bytes/point), heap %.0f bytes/series; running queries%n",
                disk,
                disk / (double) totalPoints,
                heapPerSeries);
        Map<String, Double> medians = new LinkedHashMap<>();
        Random r = new Random(p.seed());
        medians.put(
                "single_groupby_1_1_1", median(shards, () -> QueryShapes.singleGroupby111(r, p.hosts(), start, end)));
        medians.put("cpu_max_all_1", median(shards, () -> QueryShapes.cpuMaxAll1(r, p.hosts(), start, end)));
        medians.put("double_groupby_1", median(shards, () -> QueryShapes.doubleGroupby1(r, start, end)));
        long lastEnd = Math.floorDiv(end + QueryShapes.HOUR - 1, QueryShapes.HOUR) * QueryShapes.HOUR;
        medians.put("lastpoint", median(shards, () -> QueryShapes.lastpoint(start, lastEnd)));
        Map<String, Double> beside = writerBesideQuery(shards[0], gen, hostsByShard.get(0), start, end);
        for (Shard s : shards) {
            s.close();
        }
        return new Result(
                totalPoints / seconds,
                disk / (double) totalPoints,
                heapPerSeries,
                medians,
                totalPoints,
                disk,
                byInterval,
                beside);
    }

    /**
     * A writer beside a long query (issue #16: queries must not stall writes): one hour of every host of the shard
     * (older than the loaded data) written alone, then another hour written while a second thread keeps running a
     * query that scans the base family of the whole loaded range. Returns both writer rates, their ratio and how many
     * queries ran beside the writer.
     */
    private Map<String, Double> writerBesideQuery(
            Shard shard, CpuOnlyGenerator gen, List<Integer> hosts, long start, long end) throws InterruptedException {
        long rowsPerHour = 3_600_000L / CpuOnlyGenerator.ROW_INTERVAL_MS;
        List<WriteBatch> alone = generate(gen, hosts, start - 2 * 3_600_000L, rowsPerHour);
        List<WriteBatch> besideQuery = generate(gen, hosts, start - 3_600_000L, rowsPerHour);
        LeafQuery scan = new LeafQuery(
                "cpu",
                TagPredicate.all(),
                start,
                end,
                CpuOnlyGenerator.ROW_INTERVAL_MS,
                List.of(),
                List.of("usage_user"));
        long t = System.nanoTime();
        shard.query(scan);
        double queryMs = (System.nanoTime() - t) / 1e6;
        double aloneRate = writeAll(shard, alone);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong queries = new AtomicLong();
        Thread reader = new Thread(
                () -> {
                    while (!stop.get()) {
                        shard.query(scan);
                        queries.incrementAndGet();
                    }
                },
                "bench-long-query");
        reader.start();
        double besideRate = writeAll(shard, besideQuery);
        stop.set(true);
        reader.join();
        progress.printf(
                Locale.ROOT,
                "writer alone %,.0f points/s, beside a %.0f ms base-family scan %,.0f points/s" + " (%d scans ran)%n",
                aloneRate,
                queryMs,
                besideRate,
                queries.get());
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("scan_ms", queryMs);
        out.put("alone_points_per_s", aloneRate);
        out.put("beside_points_per_s", besideRate);
        out.put("ratio", besideRate / aloneRate);
        out.put("scans", (double) queries.get());
        return out;
    }

    private double writeAll(Shard shard, List<WriteBatch> batches) {
        long points = 0;
        long t0 = System.nanoTime();
        for (WriteBatch batch : batches) {
            points += writeRetryingBusy(shard, batch);
        }
        return points / ((System.nanoTime() - t0) / 1e9);
    }

    /** Writes a batch, retrying shortly on BUSY as a client would (back-pressure while a flush runs); its points. */
    private static long writeRetryingBusy(Shard shard, WriteBatch batch) {
        while (true) {
            try {
                shard.write(batch);
                break;
            } catch (BusyException busy) {
                LockSupport.parkNanos(1_000_000L);
            }
        }
        long n = 0;
        for (WriteBatch.SeriesRows r : batch.series()) {
            n += r.values().length;
        }
        return n;
    }

    private List<WriteBatch> generate(CpuOnlyGenerator gen, List<Integer> hosts, long start, long rowsPerHost) {
        int fields = CpuOnlyGenerator.FIELDS.size();
        int hostsPerBatch = 100;
        List<WriteBatch> out = new ArrayList<>();
        for (long row = 0; row < rowsPerHost; row += p.batchRows()) {
            int rows = (int) Math.min(p.batchRows(), rowsPerHost - row);
            long[] ts = new long[rows];
            for (int i = 0; i < rows; i++) {
                ts[i] = start + (row + i) * CpuOnlyGenerator.ROW_INTERVAL_MS;
            }
            for (int from = 0; from < hosts.size(); from += hostsPerBatch) {
                List<WriteBatch.SeriesRows> batch = new ArrayList<>();
                for (int h : hosts.subList(from, Math.min(hosts.size(), from + hostsPerBatch))) {
                    double[] values = new double[rows * fields];
                    gen.nextRows(h, rows, values);
                    batch.add(new WriteBatch.SeriesRows(gen.key(h), CpuOnlyGenerator.FIELDS, ts, values));
                }
                out.add(WriteBatch.of(batch));
            }
        }
        return out;
    }

    private void load(
            Shard shard, List<WriteBatch> batches, long[] written, int shardIndex, long totalPoints, long t0) {
        long lastReport = System.nanoTime();
        for (WriteBatch batch : batches) {
            long n = writeRetryingBusy(shard, batch);
            synchronized (written) {
                written[shardIndex] += n;
            }
            if (shardIndex == 0 && System.nanoTime() - lastReport > 2_000_000_000L) {
                lastReport = System.nanoTime();
                long sum;
                synchronized (written) {
                    sum = Arrays.stream(written).sum();
                }
                progress.printf(
                        Locale.ROOT,
                        "  %5.1f%%  %,d points  %,.0f points/s%n",
                        100.0 * sum / totalPoints,
                        sum,
                        sum / ((System.nanoTime() - t0) / 1e9));
            }
        }
    }

    private double median(Shard[] shards, Supplier<LeafQuery> queries) {
        int warmup = Math.max(5, p.queryRuns() / 4);
        double[] ms = new double[p.queryRuns()];
        for (int i = 0; i < warmup + p.queryRuns(); i++) {
            LeafQuery q = queries.get();
            long t = System.nanoTime();
            PartialTable merged = null;
            for (Shard s : shards) {
                PartialTable r = s.query(q);
                merged = merged == null ? r : merged.merge(r);
            }
            if (merged.cells().isEmpty()) {
                throw new IllegalStateException("BUG: benchmark query returned nothing: " + q);
            }
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    /** Live heap: the sum over heap pools of their usage right after the last (explicit, full) collection. */
    private static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }

    /** Bytes of the part files of one interval family, over all segments of a shard. */
    static long intervalBytes(Path shardDir, long intervalMs) {
        Path segments = shardDir.resolve("segments");
        if (!Files.isDirectory(segments)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(segments)) {
            return s.map(seg -> seg.resolve(Long.toString(intervalMs)))
                    .filter(Files::isDirectory)
                    .mapToLong(EngineBenchmark::directoryBytes)
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long directoryBytes(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
