package io.meridian.meta.client;

/**
 * A writer id with its sequence, carrying one batch at a time: the unit of storage's exactly-once de-duplication
 * of plain writes ({@code WriteRequest.writer_id}, {@code sequence}). A shard applies a (writer id, sequence) once
 * and refuses a sequence below the last it applied, so a lane must not let a later batch overtake one that is
 * still being retried: {@link #begin} hands out the next sequence and refuses while a batch is in flight;
 * {@link #end} frees the lane once the batch was answered (applied or refused). A lane whose batch timed out may
 * still be applied late: drop it rather than {@link #end} it. Used by the broker's direct writes and by the Flink
 * sink's at-least-once writes. Thread-safe.
 */
public final class WriterLane {
    private final String writerId;
    private long sequence;
    private boolean inFlight;

    public WriterLane(String writerId) {
        if (writerId == null || writerId.isEmpty()) {
            throw new IllegalArgumentException("a writer lane needs a writer id");
        }
        this.writerId = writerId;
    }

    public String writerId() {
        return writerId;
    }

    /**
     * Starts the next batch on this lane.
     *
     * @return its sequence, one above the last
     * @throws IllegalStateException when the lane's previous batch has not ended
     */
    public synchronized long begin() {
        if (inFlight) {
            throw new IllegalStateException("BUG: writer lane " + writerId + " already carries sequence " + sequence);
        }
        inFlight = true;
        return ++sequence;
    }

    /** The batch in flight was answered: the lane may carry the next one. */
    public synchronized void end() {
        inFlight = false;
    }

    /** The sequence of the last batch begun (0 before the first). */
    public synchronized long lastSequence() {
        return sequence;
    }

    @Override
    public synchronized String toString() {
        return writerId + "#" + sequence + (inFlight ? " (in flight)" : "");
    }
}
