package io.meridian.common.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {
    @Test
    void portsAreBelowTheEphemeralRangeDistinctAndBindable() throws IOException {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = LoopbackPorts.pick();
            assertThat(port).isGreaterThanOrEqualTo(10_000).isLessThan(LoopbackPorts.ephemeralLow());
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
        int port = LoopbackPorts.pick();
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aReservedRangeIsNeverHandedOut() {
        int first = LoopbackPorts.pick() + 1;
        // picks are sequential in a JVM: without the reservation, the next pick would be `first`
        for (int i = 0; i < 5; i++) {
            assertThat(LoopbackPorts.pickOutside(first, 3)).isNotIn(first, first + 1, first + 2);
        }
    }
}
