package io.meridian.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for the processes a test starts. */
public final class FreePorts {
    private FreePorts() {}

    /**
     * A port that was free a moment ago. Another process may take it before ours binds it; the harness keeps a
     * node's port across restarts, so a clash shows up as a start failure in the node's log, not as flakiness
     * hidden in a retry.
     */
    public static int pick() {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }
}
