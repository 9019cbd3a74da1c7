package io.meridian.broker.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * What {@code GET /health/ready} answers: the broker is ready when every check passes. A check is a named
 * condition that answers what it is still waiting for (empty when satisfied), e.g. {@code master: no master
 * broker elected yet}. The broker registers its own (metadata, master, storage cluster, write path); whoever
 * embeds a broker adds more before it starts answering, e.g. standalone's {@link Gate} for its ingest job, so
 * that its banner and {@code /health/ready} agree.
 *
 * <p>Threading: checks may be added from any thread; {@link #waitingFor()} is called by HTTP workers.
 */
public final class Readiness {
    /** One condition of readiness. */
    @FunctionalInterface
    public interface Check {
        /** What is still missing, or empty when this condition holds. */
        Optional<String> waitingFor();
    }

    private record Named(String name, Check check) {}

    private final List<Named> checks = new CopyOnWriteArrayList<>();

    /** Adds a check; its name appears in the 503 body while it is not satisfied. */
    public Readiness require(String name, Check check) {
        checks.add(new Named(Objects.requireNonNull(name, "name"), Objects.requireNonNull(check, "check")));
        return this;
    }

    /** Adds a check that holds when {@code condition} is true, and otherwise reports {@code missing}. */
    public Readiness require(String name, Supplier<Boolean> condition, String missing) {
        Objects.requireNonNull(missing, "missing");
        return require(name, () -> condition.get() ? Optional.empty() : Optional.of(missing));
    }

    /** A gate, closed until {@link Gate#open()}: for a component started after the broker (e.g. a Flink job). */
    public Gate gate(String name, String missing) {
        Gate gate = new Gate();
        require(name, () -> gate.open ? Optional.empty() : Optional.of(missing));
        return gate;
    }

    /** The unsatisfied checks, in the order they were added, as {@code name: what is missing}; empty when ready. */
    public List<String> waitingFor() {
        List<String> out = new ArrayList<>();
        for (Named n : checks) {
            Optional<String> w;
            try {
                w = n.check().waitingFor();
            } catch (RuntimeException e) {
                w = Optional.of("check failed: " + e);
            }
            w.ifPresent(m -> out.add(n.name() + ": " + m));
        }
        return out;
    }

    public boolean isReady() {
        return waitingFor().isEmpty();
    }

    /** A condition opened once by its owner. */
    public static final class Gate {
        private volatile boolean open;

        public void open() {
            open = true;
        }

        public boolean isOpen() {
            return open;
        }
    }
}
