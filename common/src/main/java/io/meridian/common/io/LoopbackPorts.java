package io.meridian.common.io;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free loopback ports for processes started on this machine ({@code bin/meridian cluster up}, the integration tests).
 *
 * <p>Ports come from below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}). A port the kernel
 * hands out for {@code bind(0)} lies inside that range, so between the moment it is found free and the moment the
 * node binds it, any process's outgoing connection (a gRPC client, an etcd watch) may take it as its local port: CI
 * met that as {@code Address already in use}. Below the range only an explicit bind can take a port, and this
 * class hands each port out once per JVM, starting from a random offset so that two JVMs picking at once rarely meet.
 */
public final class LoopbackPorts {
    private static final int LOWEST = 10_000;
    private static final int EPHEMERAL_LOW = ephemeralLow();
    private static final AtomicInteger NEXT =
            new AtomicInteger(LOWEST + ThreadLocalRandom.current().nextInt(Math.max(1, (EPHEMERAL_LOW - LOWEST) / 2)));

    private LoopbackPorts() {}

    /** A loopback port below the ephemeral range that no socket holds now and that this JVM has not handed out. */
    public static int pick() {
        return pickOutside(0, 0);
    }

    /**
     * Like {@link #pick()}, but never one of the {@code count} ports from {@code first}: ports the caller was given
     * for other processes that have not bound them yet ({@code cluster up --http-port}, whose number another JVM
     * chose). Without this, a storage node's metrics port could take the broker's HTTP port first.
     */
    public static int pickOutside(int first, int count) {
        int span = EPHEMERAL_LOW - LOWEST;
        for (int tries = 0; tries < span; tries++) {
            int port = LOWEST + Math.floorMod(NEXT.getAndIncrement() - LOWEST, span);
            boolean reserved = port >= first && port < first + count;
            if (!reserved && bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port in [" + LOWEST + ", " + EPHEMERAL_LOW + ")");
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The lower bound of the ephemeral range, 32768 where /proc does not say (Linux's default). */
    static int ephemeralLow() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            int low = Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]);
            return Math.max(LOWEST + 1_000, low);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
