package io.meridian.meta.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.master.FencedWriter;
import io.meridian.meta.master.MasterElection;
import io.meridian.meta.master.MasterOptions;
import io.meridian.meta.master.MasterTerm;
import io.meridian.meta.model.ShardState;
import io.meridian.meta.planner.MetaChange;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures metadata propagation: from the start of a fenced master write to every watcher (a MetaCache with its
 * on-disk snapshot, each on its own etcd client) having published it. 1,000 shard-state changes, paced.
 * Asserts only correctness (every watcher applied every change); the numbers are logged and written to
 * {@code target/meta-propagation.txt} for docs/meta-layout.md. Not a timing test.
 */
@ExtendWith(EtcdExtension.class)
class PropagationIT {
    private static final Logger LOG = LoggerFactory.getLogger(PropagationIT.class);
    private static final int CHANGES = 1000;
    private static final int WATCHERS = 3;
    private static final long PACE_NANOS = Duration.ofMillis(3).toNanos();

    @Test
    void everyWatcherAppliesEveryChange(EtcdProcess etcd, @TempDir Path dir) throws Exception {
        MetaStoreOptions options = MetaStoreOptions.of(etcd.endpoint(), "/prop");
        List<AutoCloseable> open = new ArrayList<>();
        try {
            MetaStore writerStore = MetaStore.connect(options);
            open.add(writerStore);
            List<MetaCache> caches = new ArrayList<>();
            List<ConcurrentSkipListMap<Long, Long>> published = new ArrayList<>();
            for (int w = 0; w < WATCHERS; w++) {
                MetaStore s = MetaStore.connect(options);
                open.add(s);
                MetaCache cache = new MetaCache(s, dir.resolve("w" + w), "idc1");
                ConcurrentSkipListMap<Long, Long> times = new ConcurrentSkipListMap<>();
                cache.addListener(snap -> times.putIfAbsent(snap.revision(), System.nanoTime()));
                open.add(cache.start());
                caches.add(cache);
                published.add(times);
            }
            MasterOptions mo = new MasterOptions(
                    Duration.ofSeconds(5),
                    Duration.ofMillis(100),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    new PlannerOptions(Duration.ZERO));
            MasterElection election = new MasterElection(
                            writerStore, "bench", "bench:0", mo, new NoopListener(), Clock.systemUTC())
                    .start();
            open.add(election);
            await().atMost(Duration.ofSeconds(5)).until(() -> election.term().isPresent());
            MasterTerm term = election.term().orElseThrow();
            FencedWriter writer = new FencedWriter(writerStore);

            long[] writtenAt = new long[CHANGES];
            long[] revisions = new long[CHANGES];
            for (int i = 0; i < CHANGES; i++) {
                ShardState s = new ShardState(
                        "bench",
                        "c1",
                        i % 16,
                        List.of("a", "b"),
                        i % 2 == 0 ? "a" : "b",
                        i + 1,
                        Set.of("a", "b"),
                        Map.of("a", (long) i, "b", (long) i));
                writtenAt[i] = System.nanoTime(); // before the write: the latency includes the etcd commit
                revisions[i] = writer.apply(term, List.of(new MetaChange.PutShard(s)));
                LockSupport.parkNanos(PACE_NANOS); // pacing the writer, not waiting for a condition
            }
            long last = revisions[CHANGES - 1];
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> caches.stream().allMatch(c -> c.snapshot().revision() >= last));
            for (MetaCache c : caches) {
                assertThat(c.snapshot().states()).hasSize(16);
                assertThat(c.snapshot().states().values())
                        .extracting(ShardState::epoch)
                        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(CHANGES - 15, CHANGES)
                                .boxed()
                                .toList());
            }

            double[] latencyMs = new double[CHANGES];
            for (int i = 0; i < CHANGES; i++) {
                long slowest = 0;
                for (ConcurrentSkipListMap<Long, Long> times : published) {
                    Map.Entry<Long, Long> seen = times.ceilingEntry(revisions[i]);
                    assertThat(seen).as("watcher saw revision %d", revisions[i]).isNotNull();
                    slowest = Math.max(slowest, seen.getValue() - writtenAt[i]);
                }
                latencyMs[i] = Math.max(0, slowest) / 1e6;
            }
            Arrays.sort(latencyMs);
            String result = String.format(
                    Locale.ROOT,
                    "propagation master write -> all %d watchers applied (%d changes, paced %d ms): "
                            + "p50=%.2f ms p99=%.2f ms max=%.2f ms",
                    WATCHERS,
                    CHANGES,
                    PACE_NANOS / 1_000_000,
                    latencyMs[CHANGES / 2],
                    latencyMs[CHANGES * 99 / 100],
                    latencyMs[CHANGES - 1]);
            LOG.info(result);
            Files.writeString(Path.of("target", "meta-propagation.txt"), result + System.lineSeparator());
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    private static final class NoopListener implements MasterElection.Listener {
        @Override
        public void onElected(MasterTerm term) {}

        @Override
        public void onDeposed(MasterTerm term, String reason) {}
    }
}
