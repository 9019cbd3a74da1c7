package io.meridian.meta.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.meta.etcd.EtcdExtension;
import io.meridian.meta.etcd.EtcdProcess;
import io.meridian.meta.model.MasterInfo;
import io.meridian.meta.model.ModelCodec;
import io.meridian.meta.model.StorageCluster;
import io.meridian.meta.planner.MetaChange;
import io.meridian.meta.planner.PlannerOptions;
import io.meridian.meta.store.MetaEntry;
import io.meridian.meta.store.MetaEvent;
import io.meridian.meta.store.MetaRange;
import io.meridian.meta.store.MetaStore;
import io.meridian.meta.store.MetaStoreOptions;
import io.meridian.meta.store.PrefixWatch;
import io.meridian.meta.store.WatchListener;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EtcdExtension.class)
class MasterElectionIT {
    static final Duration TTL = Duration.ofSeconds(2);
    static final MasterOptions OPTIONS = new MasterOptions(
            TTL,
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            Duration.ofMillis(500),
            new PlannerOptions(Duration.ZERO));
    private static MetaStore store;

    @BeforeAll
    static void connect(EtcdProcess etcd) {
        store = MetaStore.connect(MetaStoreOptions.of(etcd.endpoint(), "/el"));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    /** Records terms as the listener sees them. */
    static final class Terms implements MasterElection.Listener {
        final List<MasterTerm> elected = new CopyOnWriteArrayList<>();
        final List<MasterTerm> deposed = new CopyOnWriteArrayList<>();

        @Override
        public void onElected(MasterTerm term) {
            elected.add(term);
        }

        @Override
        public void onDeposed(MasterTerm term, String reason) {
            deposed.add(term);
        }
    }

    /** Every value the master key took, in order, from a watch. */
    static final class MasterHistory implements WatchListener {
        final List<String> masters = new CopyOnWriteArrayList<>();

        @Override
        public void onReset(MetaRange range) {
            range.entries().forEach(this::add);
        }

        @Override
        public void onEvents(List<MetaEvent> events) {
            events.stream().filter(e -> e.type() == MetaEvent.Type.PUT).forEach(e -> add(e.entry()));
        }

        private void add(MetaEntry e) {
            masters.add(ModelCodec.decode(e.value(), MasterInfo.class, e.key()).nodeId());
        }
    }

    @Test
    void crashedMasterIsReplacedWithinTtlAndItsWritesAreFenced() {
        Terms t1 = new Terms();
        Terms t2 = new Terms();
        MasterHistory history = new MasterHistory();
        FencedWriter writer = new FencedWriter(store);
        try (PrefixWatch watch = store.watchPrefix(store.keys().master(), history);
                MasterElection b2 = new MasterElection(store, "b2", "b2:1", OPTIONS, t2, Clock.systemUTC())) {
            MasterElection b1 = new MasterElection(store, "b1", "b1:1", OPTIONS, t1, Clock.systemUTC()).start();
            await().atMost(Duration.ofSeconds(5)).until(() -> b1.term().isPresent());
            b2.start();
            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(2))
                    .until(() -> b2.term().isEmpty());
            MasterTerm oldTerm = b1.term().orElseThrow();
            writer.apply(oldTerm, List.of(new MetaChange.PutCluster(new StorageCluster("c1", "idc1"))));

            long crashedAt = System.nanoTime();
            b1.crash();
            await().atMost(TTL.plusSeconds(2)).until(() -> b2.term().isPresent());
            Duration failover = Duration.ofNanos(System.nanoTime() - crashedAt);
            assertThat(failover).isLessThanOrEqualTo(TTL.plusSeconds(2));

            assertThat(b1.term())
                    .as("the crashed master still believes it leads")
                    .isPresent();
            assertThatThrownBy(() ->
                            writer.apply(oldTerm, List.of(new MetaChange.PutCluster(new StorageCluster("c2", "idc1")))))
                    .isInstanceOf(NotMasterException.class)
                    .hasMessageContaining("not the master any more [node=b1");
            assertThat(store.get(store.keys().cluster("c2")))
                    .as("fenced write left nothing")
                    .isEmpty();
            writer.apply(b2.term().orElseThrow(), List.of(new MetaChange.PutCluster(new StorageCluster("c3", "idc1"))));
            assertThat(store.get(store.keys().cluster("c3"))).isPresent();

            await().atMost(Duration.ofSeconds(2)).until(() -> history.masters.size() == 2);
            assertThat(history.masters).containsExactly("b1", "b2");
            assertThat(t2.elected).hasSize(1);
        }
    }

    @Test
    void revokedLeaseDeposesTheMasterAndAnotherTakesOver() {
        Terms t3 = new Terms();
        Terms t4 = new Terms();
        try (MasterElection b3 = new MasterElection(store, "b3", "b3:1", OPTIONS, t3, Clock.systemUTC()).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> b3.term().isPresent());
            try (MasterElection b4 = new MasterElection(store, "b4", "b4:1", OPTIONS, t4, Clock.systemUTC()).start()) {
                MasterTerm term3 = b3.term().orElseThrow();
                store.revokeLease(term3.lease());

                await().atMost(Duration.ofSeconds(3)).until(() -> !t3.deposed.isEmpty());
                await().atMost(Duration.ofSeconds(3))
                        .until(() -> b3.term().isPresent() || b4.term().isPresent());
                Optional<MasterTerm> now = b3.term().isPresent() ? b3.term() : b4.term();
                assertThat(now.orElseThrow().revision()).isGreaterThan(term3.revision());
                assertThat(b3.term().isPresent() && b4.term().isPresent())
                        .as("one master at a time")
                        .isFalse();
            }
        }
    }

    @Test
    void resignHandsOverAtOnce() {
        Terms t5 = new Terms();
        Terms t6 = new Terms();
        try (MasterElection b5 = new MasterElection(store, "b5", "b5:1", OPTIONS, t5, Clock.systemUTC()).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> b5.term().isPresent());
            try (MasterElection b6 = new MasterElection(store, "b6", "b6:1", OPTIONS, t6, Clock.systemUTC()).start()) {
                b5.close();
                await().atMost(Duration.ofSeconds(2)).until(() -> b6.term().isPresent());
                List<MasterTerm> all = new ArrayList<>(t5.elected);
                all.addAll(t6.elected);
                assertThat(all).extracting(MasterTerm::nodeId).containsExactly("b5", "b6");
            }
        }
    }
}
