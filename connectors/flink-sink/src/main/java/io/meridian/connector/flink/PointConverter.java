package io.meridian.connector.flink;

import java.io.Serializable;

/**
 * Maps a user's record to a {@link MeridianPoint}, as Flink's JDBC sink takes a statement builder: the one piece
 * of code a job supplies to use {@link MeridianSink#forPoints}. Runs on the sink's task thread; must be
 * serializable (it ships with the job graph).
 *
 * @param <T> the job's record type
 */
@FunctionalInterface
public interface PointConverter<T> extends Serializable {
    /** The point of {@code element}. Throw {@link IllegalArgumentException} naming the problem for a bad record. */
    MeridianPoint toPoint(T element);
}
