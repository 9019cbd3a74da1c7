package io.meridian.meta.cache;

import static io.meridian.meta.cache.SnapshotFileTest.sample;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.meta.model.ShardId;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
    @Test
    void storageNodeLearnsItsRoles() {
        assertThat(sample().rolesOf("s1"))
                .containsExactly(new ShardRole(new ShardId("cpu", "east", 0), true, 3, "s1", List.of()));
        assertThat(sample().rolesOf("nobody")).isEmpty();
    }

    @Test
    void routingPrefersTheHomeIdcAndListsEveryIdc() {
        RoutingTable east = RoutingTable.of(sample(), "idc_e");
        RoutingTable west = RoutingTable.of(sample(), "idc_w");

        assertThat(east.leader("cpu", 0)).hasValueSatisfying(r -> {
            assertThat(r.address()).isEqualTo("h1:7001");
            assertThat(r.epoch()).isEqualTo(3);
        });
        assertThat(west.leader("cpu", 0)).map(Route::address).contains("h2:7002");
        assertThat(east.leaders("cpu", 0)).extracting(Route::leader).containsExactly("s1", "s2");
        assertThat(east.leader("cpu", 1)).as("shard 1 has no state").isEmpty();
        assertThat(east.leader("nope", 0)).isEmpty();
    }
}
