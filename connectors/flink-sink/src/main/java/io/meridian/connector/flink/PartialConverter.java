package io.meridian.connector.flink;

import java.io.Serializable;

/**
 * Maps a user's record to a {@link MeridianPartial}: the one piece of code a job supplies to use
 * {@link MeridianSink#forPartials}. Runs on the sink's task thread; must be serializable.
 *
 * @param <T> the job's record type
 */
@FunctionalInterface
public interface PartialConverter<T> extends Serializable {
    /** The partial of {@code element}. Throw {@link IllegalArgumentException} naming the problem for a bad record. */
    MeridianPartial toPartial(T element);
}
