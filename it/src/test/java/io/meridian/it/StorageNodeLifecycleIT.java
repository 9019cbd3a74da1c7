package io.meridian.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.it.harness.ClusterExtension;
import io.meridian.it.harness.MeridianCluster;
import io.meridian.it.harness.StorageNodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The storage process's own lifecycle, without a master: clean stop, and a frozen process losing its lease. */
@ExtendWith(ClusterExtension.class)
class StorageNodeLifecycleIT {
    @Test
    void sigtermDeregistersAtOnceAndAFrozenNodeLosesItsLeaseThenComesBack(MeridianCluster cluster) {
        cluster.startEtcd();
        StorageNodeProcess s1 = cluster.startStorageNode("s1");
        StorageNodeProcess s2 = cluster.startStorageNode("s2");
        cluster.awaitRegistered("s1", "s2");

        // SIGTERM: the shutdown hook revokes the lease, so the key is gone when the process has exited
        int exit = s1.stop();
        assertThat(exit).as("exit code after SIGTERM").isEqualTo(143);
        assertThat(cluster.truth().nodes()).doesNotContainKey("s1");
        assertThat(s1.log()).contains("node deregistered [node=s1]").contains("storage node stopped [node=s1");

        // SIGSTOP: no lease refresh, etcd drops the node after the TTL; SIGCONT: it registers again
        s2.pause();
        cluster.awaitGone("s2");
        s2.resume();
        cluster.awaitRegistered("s2");
        assertThat(s2.isAlive()).isTrue();
        assertThat(s2.starts()).isEqualTo(1);
    }
}
