package io.madetask.bridge.madetask;

import io.smallrye.mutiny.Uni;

/**
 * Applies one type of MadeTask event to the feature that owns what it is about. Each feature registers its handler as
 * a bean; the event inbox (package {@code events}) finds it by {@link #eventType()} and calls it inside the transaction
 * that also records the event as applied, so an event is applied exactly once.
 *
 * @param <T> the event's {@code data}, as the contract describes it ({@link MadeTaskModel})
 */
public interface MadeTaskEventHandler<T> {

    /** The event's {@code type}, e.g. {@code task.updated}. */
    String eventType();

    /** The class {@code data} is read into. */
    Class<T> dataType();

    /** Applies the event in the caller's transaction; answers the outcome recorded with it (APPLIED, STALE, ...). */
    Uni<String> apply(T data);
}
